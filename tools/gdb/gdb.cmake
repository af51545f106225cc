# SPDX-License-Identifier: MIT
# gdb's `pt` command (docs/GDB.md): installed as PREFIX/share/ptkit/gdb/ptkit-gdb.py (COMPONENT
# python: the Debian package python3-ptkit, with the Python package it imports), told where
# the ptkit Python package went (PTKIT_PYTHON_DIR, cmake/python.cmake): relative to itself
# when both are under the prefix, so DESTDIR and --prefix keep working.
set(ptkit_gdb_dir ${CMAKE_INSTALL_DATADIR}/ptkit/gdb)
if(IS_ABSOLUTE "${PTKIT_PYTHON_DIR}")
  set(PTKIT_GDB_PYDIR "${PTKIT_PYTHON_DIR}")
elseif(IS_ABSOLUTE "${CMAKE_INSTALL_DATADIR}")
  set(PTKIT_GDB_PYDIR "${CMAKE_INSTALL_PREFIX}/${PTKIT_PYTHON_DIR}")
else()
  file(RELATIVE_PATH PTKIT_GDB_PYDIR /prefix/${ptkit_gdb_dir} /prefix/${PTKIT_PYTHON_DIR})
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/ptkit-gdb.py ${PROJECT_BINARY_DIR}/gdb/ptkit-gdb.py
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/gdb/ptkit-gdb.py DESTINATION ${ptkit_gdb_dir}
        COMPONENT python)
