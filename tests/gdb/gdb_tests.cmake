# SPDX-License-Identifier: MIT
# gdb's `pt` command (tools/gdb/ptkit-gdb.py, issue 17 item 5) against live QEMU guests:
# tests/gdb/gdb_pt_test.py boots the tests/mmu/<arch> probe of each format on ptkit-built
# tables, stops it in gdb with its MMU on, and compares `pt translate` / `pt dump` with the
# CLI on the same tables and with QEMU's own walk (docs/GDB.md). gdb for x86_64, gdb-multiarch
# for the others (scripts/install-deps.sh); without a gdb with Python for an architecture its
# tests are skipped (exit 77). The inject tests show that a command reading the tables a page
# off, through the MMU instead of as physical memory, or from the wrong root, is caught.
# Included by the top CMakeLists.txt.
if(TARGET ptkit AND TARGET ptkit_shared)
  find_program(PTKIT_PYTHON3 python3 REQUIRED)
  set(PTKIT_GDB_TEST ${PTKIT_PYTHON3} ${PROJECT_SOURCE_DIR}/tests/gdb/gdb_pt_test.py
                     --ptkit $<TARGET_FILE:ptkit>)
  # Under PTKIT_SANITIZE the library is an ASan one: the driver lets it bring libasan into
  # gdb (gdb_pt_test.py: asan_env).
  set(PTKIT_GDB_ENV "PTKIT_LIBRARY=$<TARGET_FILE:ptkit_shared>" "PTKIT_SANITIZE=${PTKIT_SANITIZE}")
  foreach(fmt x86_64 x86_64-la57 riscv-sv39 riscv-sv48 riscv-sv57 arm64-4k-39 arm64-4k-48
              arm64-4k-52 arm64-16k-36 arm64-16k-47 arm64-16k-52 arm64-64k-42 arm64-64k-48
              arm64-64k-52 ppc64-radix-4k ppc64-radix-64k)
    add_test(NAME gdb_pt_${fmt} COMMAND ${PTKIT_GDB_TEST} --format ${fmt})
    set_tests_properties(gdb_pt_${fmt} PROPERTIES TIMEOUT 60 LABELS "qemu;gdb"
                         SKIP_RETURN_CODE 77 ENVIRONMENT "${PTKIT_GDB_ENV}")
  endforeach()
  # A remote stub that is not QEMU's (gdbserver): refused, saying so.
  add_test(NAME gdb_pt_not_qemu COMMAND ${PTKIT_GDB_TEST} --not-qemu)
  set_tests_properties(gdb_pt_not_qemu PROPERTIES TIMEOUT 60 LABELS gdb SKIP_RETURN_CODE 77
                                                  ENVIRONMENT "${PTKIT_GDB_ENV}")
  # The installed command (cmake --install into a temporary prefix), with the installed
  # package and library only.
  add_test(NAME gdb_pt_installed COMMAND ${PTKIT_GDB_TEST} --format arm64-16k-47
                                         --install ${PROJECT_BINARY_DIR})
  set_tests_properties(gdb_pt_installed PROPERTIES TIMEOUT 60 LABELS "qemu;gdb"
    SKIP_RETURN_CODE 77 ENVIRONMENT
    "PTKIT_SANITIZE=${PTKIT_SANITIZE};CMAKE=${CMAKE_COMMAND};DATADIR=${CMAKE_INSTALL_DATADIR}")
  foreach(fmt x86_64 arm64-4k-48 riscv-sv48 ppc64-radix-64k)
    foreach(kind read root virt)
      add_test(NAME gdb_pt_${fmt}_inject_${kind}
               COMMAND ${PTKIT_GDB_TEST} --format ${fmt} --seed 2 --inject ${kind})
      set_tests_properties(gdb_pt_${fmt}_inject_${kind} PROPERTIES TIMEOUT 60
                           LABELS "qemu;gdb" SKIP_RETURN_CODE 77 ENVIRONMENT "${PTKIT_GDB_ENV}")
    endforeach()
  endforeach()
endif()
