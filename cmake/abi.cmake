# SPDX-License-Identifier: MIT
# ABI discipline (issue 17, docs/ABI.md): abi/<SONAME>.abi is the ABI of the current
# release, as libabigail's abidw writes it; the test abi_check compares a fresh build with
# it (abidiff) and `make abi-baseline` (target abi-baseline) rewrites it.
#
# abidw needs full DWARF types, which make test's build (-O1 -g1, ASan) does not have: the
# ABI is read from ptkit_abi, libptkit.so built once more from the same sources and the
# same version script, without sanitizers, at -O0 -g (types are all abidw reads; -O0
# compiles in half -Og's time), in <build>/abi/. Only the shared library: nothing links it.
# Built by default only where the test needs it; abi-baseline builds it on demand.
if(BUILD_TESTING)
  set(ptkit_abi_all "")
else()
  set(ptkit_abi_all EXCLUDE_FROM_ALL)
endif()
# The sources, include directories and definitions of the archives libptkit.so is made of
# (cmake/install.cmake: PTKIT_LIB_PARTS), whatever they come to hold.
set(ptkit_abi_srcs)
foreach(part ${PTKIT_LIB_PARTS})
  get_target_property(srcs ${part} SOURCES)
  list(APPEND ptkit_abi_srcs ${srcs})
endforeach()
add_library(ptkit_abi SHARED ${ptkit_abi_all} ${ptkit_abi_srcs})
foreach(part ${PTKIT_LIB_PARTS})
  target_include_directories(ptkit_abi PRIVATE $<TARGET_PROPERTY:${part},INCLUDE_DIRECTORIES>)
  target_compile_definitions(ptkit_abi PRIVATE $<TARGET_PROPERTY:${part},COMPILE_DEFINITIONS>)
endforeach()
if(PTKIT_HAS_MM)
  target_link_libraries(ptkit_abi PRIVATE ${PTKIT_MM_LIBS})
endif()
target_link_libraries(ptkit_abi PRIVATE ${PTKIT_CODEC_LIBS})
# Not the directory's options (sanitizers, -O1 -g1): replace them.
set_property(TARGET ptkit_abi PROPERTY COMPILE_OPTIONS -Wall -Wextra -Werror -O0 -g
                                                       -fno-semantic-interposition)
set_property(TARGET ptkit_abi PROPERTY LINK_OPTIONS -Wl,--version-script=${PTKIT_MAP}
                                                    -Wl,--no-undefined)
set_target_properties(ptkit_abi PROPERTIES
  OUTPUT_NAME ptkit LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/abi LINK_DEPENDS ${PTKIT_MAP}
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

set(PTKIT_ABI_CMD sh ${PROJECT_SOURCE_DIR}/tests/abi/abi.sh)
set(PTKIT_ABI_ARGS ${PROJECT_SOURCE_DIR} $<TARGET_FILE:ptkit_abi> ${PROJECT_BINARY_DIR}/abi)
add_custom_target(abi-baseline COMMAND ${CMAKE_COMMAND} -E env PTKIT_HAS_MM=${PTKIT_HAS_MM}
                                       ${PTKIT_ABI_CMD} baseline ${PTKIT_ABI_ARGS}
                  DEPENDS ptkit_abi VERBATIM)
if(BUILD_TESTING)
  add_test(NAME abi_check COMMAND ${PTKIT_ABI_CMD} check ${PTKIT_ABI_ARGS})
  set_tests_properties(abi_check PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77
                       ENVIRONMENT "PTKIT_HAS_MM=${PTKIT_HAS_MM}")
endif()
# The SONAME comes from include/ptkit/version.h (CMakeLists.txt): a bump there reconfigures.
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                                                           ${PROJECT_SOURCE_DIR}/include/ptkit/version.h)
