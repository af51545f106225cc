# SPDX-License-Identifier: MIT
# The Python package python/ptkit (ctypes over libptkit.so.0, issue 17): installed into
# PREFIX/PTKIT_PYTHON_DIR/ptkit (COMPONENT python: the Debian package python3-ptkit) with
# _installed.py saying where the library went (relative to the package), and its pytest
# suite tests/python (CTest python_pytest).
set(PTKIT_PYTHON_DIR lib/python3/dist-packages
    CACHE STRING "Where make install puts the ptkit Python package (relative to the prefix)")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ptkit_py_libdir "${CMAKE_INSTALL_LIBDIR}")
elseif(IS_ABSOLUTE "${PTKIT_PYTHON_DIR}")
  set(ptkit_py_libdir "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}")
else() # both under the prefix: a relative path survives DESTDIR and --prefix
  file(RELATIVE_PATH ptkit_py_libdir /prefix/${PTKIT_PYTHON_DIR}/ptkit
       /prefix/${CMAKE_INSTALL_LIBDIR})
endif()
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/python/_installed.py CONTENT
  "# Written by make install (cmake/python.cmake): libptkit.so.0's directory, relative to the package.\nLIBRARY_DIR = \"${ptkit_py_libdir}\"\n")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/ptkit DESTINATION ${PTKIT_PYTHON_DIR}
        COMPONENT python FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
# Not in the Debian package (Architecture: all): there the package finds libptkit.so.0
# through the dynamic loader, as the library is in the system's directory.
if(NOT PTKIT_DEB)
  install(FILES ${PROJECT_BINARY_DIR}/python/_installed.py DESTINATION ${PTKIT_PYTHON_DIR}/ptkit
          COMPONENT python)
endif()

if(BUILD_TESTING AND TARGET ptkit)
  # Under PTKIT_SANITIZE the library is an ASan one: the runner preloads libasan into python.
  add_test(NAME python_pytest COMMAND sh ${PROJECT_SOURCE_DIR}/tests/python/run_pytest.sh
                                      ${PROJECT_SOURCE_DIR})
  set_tests_properties(python_pytest PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 ENVIRONMENT
    "PTKIT_LIBRARY=$<TARGET_FILE:ptkit_shared>;PTKIT_CLI=$<TARGET_FILE:ptkit>;PTKIT_SANITIZE=${PTKIT_SANITIZE};CC=${CMAKE_C_COMPILER};PTKIT_TEST_TMP=${PROJECT_BINARY_DIR}/python_pytest")
endif()
