# SPDX-License-Identifier: MIT
# The Debian packages (issue 17, docs/PACKAGING.md): `make deb` runs CPack's DEB generator
# on a build configured with CMAKE_INSTALL_PREFIX=/usr and PTKIT_DEB=ON, one package per
# install component of cmake/install.cmake:
#   libptkit0     (component lib) libptkit.so.MAJOR and its real file, named after the
#                 SONAME (Debian policy 8.1); shlibs, the ldconfig trigger
#   ptkit         (component runtime) the CLI, its man page and bash completion; Depends
#                 from dpkg-shlibdeps (the CLI links the archives, so not libptkit0)
#   libptkit-dev  (component dev) headers, static archives, the libptkit.so link, ptkit.pc,
#                 the CMake package; Depends: libptkit0 (= VERSION) and the -dev packages of
#                 the libraries the static archives need
#   python3-ptkit (component python, Architecture: all) the Python package and gdb's pt
#                 command; Depends: python3, libptkit0 (>= VERSION)
# Shared-library Depends come from dpkg-shlibdeps (dpkg-dev, file). Each package holds
# usr/share/doc/PACKAGE/{copyright,changelog.gz}; cmake/deb/ holds the changelog and the
# maintainer scripts.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "ptkit: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}: a Debian package "
                 "wants /usr (make deb configures its own build so)")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ptkit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/deb)
set(CPACK_STRIP_FILES ON)
set(PTKIT_DEB_MAINTAINER "ptkit authors <maintainers@users.noreply.r-seed-13acc6da.example>"
    CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PTKIT_DEB_MAINTAINER}")

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL lib runtime dev python)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # PACKAGE_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# Maintainer scripts and triggers 0755 / 0644 whatever their mode in the tree.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(ptkit_deb_about
    "ptkit builds, walks, changes and checks real hardware page tables (x86-64
4/5-level, arm64 4K/16K/64K, RISC-V Sv39/48/57, ppc64 radix) through one
level-agnostic API.")
set(ptkit_deb_control ${PROJECT_BINARY_DIR}/deb-control)

# --- libptkit0: the shared library -------------------------------------------------------
set(PTKIT_DEB_LIB_PACKAGE libptkit${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_LIB_PACKAGE_NAME ${PTKIT_DEB_LIB_PACKAGE})
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIB_DESCRIPTION "hardware page table library - shared library
${ptkit_deb_about}
This package holds the shared library libptkit.so.${PROJECT_VERSION_MAJOR}.")
# shlibs: `libptkit MAJOR libptkit0 (>= VERSION)`, what a program built against this
# version needs (the ABI within a SONAME only grows, docs/ABI.md).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON) # only libptkit0 has a library
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# ldconfig runs from dpkg's trigger, not from postinst/postrm (lintian:
# maintscript-calls-ldconfig). CPack writes those two scripts for a package with a library
# in /usr/lib unless postinst and postrm are among the control files: naming two that do
# not exist keeps them out (CPack warns that it skips them).
file(CONFIGURE OUTPUT ${ptkit_deb_control}/lib/triggers CONTENT "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA ${ptkit_deb_control}/lib/triggers
    ${ptkit_deb_control}/lib/none/postinst ${ptkit_deb_control}/lib/none/postrm)

# For a program of these packages that links libptkit.so.MAJOR (none today: the CLI links
# the archives), dpkg-shlibdeps finds the library in a package build tree of its own
# (deb-shlibs/: DEBIAN/shlibs as libptkit0's, lib/ -> the built library) and so the package
# that holds it, libptkit0 (>= VERSION), as for any library of the system; deb_contents
# checks that on an example.
set(ptkit_deb_shlibs ${PROJECT_BINARY_DIR}/deb-shlibs)
file(CONFIGURE OUTPUT ${ptkit_deb_shlibs}/DEBIAN/shlibs CONTENT
     "libptkit ${PROJECT_VERSION_MAJOR} ${PTKIT_DEB_LIB_PACKAGE} (>= ${PROJECT_VERSION})\n")
file(MAKE_DIRECTORY ${ptkit_deb_shlibs}/lib)
file(CREATE_LINK ${PROJECT_BINARY_DIR}/libptkit.so.${PROJECT_VERSION_MAJOR}
     ${ptkit_deb_shlibs}/lib/libptkit.so.${PROJECT_VERSION_MAJOR} SYMBOLIC)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${ptkit_deb_shlibs}/lib)

# --- ptkit: the command-line tool ----------------------------------------------------------
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ptkit)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS python3-ptkit)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "build, walk, change and check hardware page tables
${ptkit_deb_about}
This package holds the ptkit command-line tool, its manual page and its bash
completion.")

# --- libptkit-dev: building against the library -------------------------------------------
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libptkit-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DEPENDS lib) # Depends: libptkit0 (= VERSION)
set(CPACK_DEBIAN_DEV_DESCRIPTION "hardware page table library - development files
${ptkit_deb_about}
This package holds the C headers, the static libraries, the pkg-config file
(ptkit.pc) and the CMake package (find_package(ptkit) gives ptkit::ptkit).")

# --- python3-ptkit: the Python package (ctypes over libptkit0) and gdb's pt command --------
set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-ptkit)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PYTHON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS
    "python3:any, ${PTKIT_DEB_LIB_PACKAGE} (>= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_PYTHON_PACKAGE_SUGGESTS "gdb | gdb-multiarch")
set(CPACK_DEBIAN_PYTHON_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/cmake/deb/python3-ptkit/postinst
    ${PROJECT_SOURCE_DIR}/cmake/deb/python3-ptkit/prerm)
set(CPACK_DEBIAN_PYTHON_DESCRIPTION "hardware page table library - Python 3 package and gdb command
${ptkit_deb_about}
This package holds the ptkit Python package (import ptkit: formats, building,
translating, walking and dumping page tables) and the pt command for gdb,
which walks the live page tables of a QEMU guest
(source /usr/share/ptkit/gdb/ptkit-gdb.py).")

# libptkit-dev's own Depends: the Debian package of each library the static archives link
# (ptkit.pc's Libs.private), asked of dpkg.
set(ptkit_static_deps ${PTKIT_CODEC_LIBS})
if(PTKIT_HAS_MM)
  list(APPEND ptkit_static_deps ${PTKIT_URCU_MEMB} ${PTKIT_URCU_COMMON})
endif()
set(ptkit_dev_depends)
find_program(PTKIT_DPKG dpkg)
foreach(lib ${ptkit_static_deps})
  if(lib STREQUAL "ZLIB::ZLIB")
    set(lib ${ZLIB_LIBRARY})
  endif()
  if(NOT IS_ABSOLUTE "${lib}" OR NOT PTKIT_DPKG)
    continue()
  endif()
  # Through the real directory (/lib -> /usr/lib) but not the real file (libz.so ->
  # libz.so.1.2.13, which is the runtime package's).
  get_filename_component(dir ${lib} DIRECTORY)
  get_filename_component(name ${lib} NAME)
  file(REAL_PATH ${dir} dir)
  execute_process(COMMAND ${PTKIT_DPKG} -S ${dir}/${name} OUTPUT_VARIABLE owner
                  ERROR_QUIET RESULT_VARIABLE rc)
  if(rc EQUAL 0 AND owner MATCHES "^([^:,]+)")
    list(APPEND ptkit_dev_depends ${CMAKE_MATCH_1})
  else()
    message(STATUS "ptkit: no Debian package owns ${dir}/${name}: not in libptkit-dev's Depends")
  endif()
endforeach()
list(REMOVE_DUPLICATES ptkit_dev_depends)
list(JOIN ptkit_dev_depends ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS)

# Each package's /usr/share/doc/PACKAGE/copyright (Debian policy 12.5): LICENSE in the
# machine-readable format.
file(READ ${PROJECT_SOURCE_DIR}/LICENSE ptkit_license)
string(REGEX MATCH "Copyright \\(c\\) ([^\n]+)" _ "${ptkit_license}")
set(ptkit_copyright "${CMAKE_MATCH_1}")
string(REGEX REPLACE "^MIT License\n+Copyright[^\n]*\n+" "" ptkit_license "${ptkit_license}")
string(STRIP "${ptkit_license}" ptkit_license)
string(REGEX REPLACE "\n\n" "\n.\n" ptkit_license "${ptkit_license}")
string(REGEX REPLACE "\n" "\n " ptkit_license " ${ptkit_license}")
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/copyright CONTENT
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ptkit

Files: *
Copyright: ${ptkit_copyright}
License: Expat
${ptkit_license}
")
# Each package's changelog.gz (policy 12.7; the changelog of a native package):
# cmake/deb/changelog, whose top entry is this version's, compressed with gzip -9n. Only in
# make deb's build (PTKIT_DEB), which is how the packages are made.
set(ptkit_deb_docs ${PROJECT_BINARY_DIR}/copyright)
if(PTKIT_DEB)
  set(ptkit_deb_changelog ${PROJECT_SOURCE_DIR}/cmake/deb/changelog)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ptkit_deb_changelog})
  file(STRINGS ${ptkit_deb_changelog} ptkit_changelog_top LIMIT_COUNT 1)
  string(REGEX MATCH "^ptkit \\(([^)]*)\\) " _ "${ptkit_changelog_top}")
  if(NOT CMAKE_MATCH_1 STREQUAL PROJECT_VERSION)
    message(FATAL_ERROR "cmake/deb/changelog: the top entry is of version '${CMAKE_MATCH_1}', "
                        "not ${PROJECT_VERSION}: add an entry for ${PROJECT_VERSION} "
                        "(dch -v ${PROJECT_VERSION} -c cmake/deb/changelog)")
  endif()
  ptkit_gzip(${ptkit_deb_changelog} ${PROJECT_BINARY_DIR}/deb-doc/changelog.gz)
  list(APPEND ptkit_deb_docs ${PROJECT_BINARY_DIR}/deb-doc/changelog.gz)
endif()
# Packages only (EXCLUDE_FROM_ALL): `make install` leaves them out.
foreach(comp lib runtime dev python)
  string(TOUPPER ${comp} COMP)
  install(FILES ${ptkit_deb_docs}
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${CPACK_DEBIAN_${COMP}_PACKAGE_NAME}
          COMPONENT ${comp} EXCLUDE_FROM_ALL)
endforeach()

include(CPack)

# --- the tests (label deb): the packages' contents; installing them with apt-get only as
# root in CI (CI=true) or when asked (PTKIT_DEB_INSTALL=1), else skipped. One work dir: the
# second installs what the first made.
if(BUILD_TESTING)
  get_filename_component(ptkit_cmake_bin ${CMAKE_COMMAND} DIRECTORY)
  find_program(PTKIT_CPACK cpack HINTS ${ptkit_cmake_bin})
  foreach(mode contents install)
    add_test(NAME deb_${mode}
             COMMAND sh ${PROJECT_SOURCE_DIR}/tests/install/deb.sh ${mode} ${PROJECT_SOURCE_DIR}
                     ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/deb_test)
    set_tests_properties(deb_${mode} PROPERTIES LABELS deb TIMEOUT 300 SKIP_RETURN_CODE 77
      RESOURCE_LOCK ptkit_deb ENVIRONMENT
      "CC=${CMAKE_C_COMPILER};CMAKE=${CMAKE_COMMAND};CPACK=${PTKIT_CPACK};VERSION=${PROJECT_VERSION};MAJOR=${PROJECT_VERSION_MAJOR};HAS_MM=${PTKIT_HAS_MM}")
  endforeach()
  set_tests_properties(deb_contents PROPERTIES FIXTURES_SETUP ptkit_debs)
  set_tests_properties(deb_install PROPERTIES FIXTURES_REQUIRED ptkit_debs)
endif()
