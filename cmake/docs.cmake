# SPDX-License-Identifier: MIT
# The API reference (Doxygen over include/ptkit/*.h): target docs -> <build>/docs/html
# (make docs), and the test docs_build: every public function has a comment and Doxygen
# reads every comment without a warning (scripts/docs.py, docs/Doxyfile.in).
find_program(PTKIT_PYTHON3 python3)
if(PTKIT_PYTHON3)
  set(PTKIT_DOCS_CMD ${PTKIT_PYTHON3} ${PROJECT_SOURCE_DIR}/scripts/docs.py)
  add_custom_target(docs COMMAND ${PTKIT_DOCS_CMD} ${PROJECT_SOURCE_DIR}
                                 ${PROJECT_BINARY_DIR}/docs VERBATIM)
  if(BUILD_TESTING)
    add_test(NAME docs_build COMMAND ${PTKIT_DOCS_CMD} --check ${PROJECT_SOURCE_DIR}
                                     ${PROJECT_BINARY_DIR}/docs_build)
    set_tests_properties(docs_build PROPERTIES TIMEOUT 90 SKIP_RETURN_CODE 77)
  endif()
endif()
