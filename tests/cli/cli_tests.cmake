# SPDX-License-Identifier: MIT
# CLI tests: tests/cli/<name>.sh drives build/ptkit; included by the top CMakeLists.txt.
find_program(PTKIT_BASH bash REQUIRED)
foreach(name errors translate corrupt dump help help_cmd completion demo verify hostile roots files protnone ptcr
    memattr)
  add_test(NAME cli_${name}
           COMMAND ${PTKIT_BASH} ${CMAKE_CURRENT_LIST_DIR}/${name}.sh $<TARGET_FILE:ptkit>)
  set_tests_properties(cli_${name} PROPERTIES TIMEOUT 300 LABELS cli)
endforeach()
# Rendering the man page needs groff or man: skipped (77) without either.
add_test(NAME cli_manpage
         COMMAND ${PTKIT_BASH} ${CMAKE_CURRENT_LIST_DIR}/manpage.sh $<TARGET_FILE:ptkit>)
set_tests_properties(cli_manpage PROPERTIES TIMEOUT 300 LABELS cli SKIP_RETURN_CODE 77)
