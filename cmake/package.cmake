# SPDX-License-Identifier: MIT
# The Debian packages (issue 17, docs/PACKAGING.md): `make deb` runs CPack's DEB generator
# on a build configured with CMAKE_INSTALL_PREFIX=/usr, one package per install component
# of cmake/install.cmake:
#   ptkit         (component runtime) the CLI, libptkit.so.MAJOR, the man page, the bash
#                 completion, and whatever else is installed with COMPONENT runtime
#   libptkit-dev  (component dev) headers, static archives, the libptkit.so link, ptkit.pc,
#                 the CMake package; Depends: ptkit (= VERSION) and the -dev packages of the
#                 libraries the static archives need.
# Shared-library Depends come from dpkg-shlibdeps (dpkg-dev, file).
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
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # ptkit_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# shlibs file and the ldconfig trigger for libptkit.so.MAJOR (only ptkit has a library).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ptkit)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "build, walk, change and check hardware page tables
ptkit builds, walks, changes and checks real hardware page tables (x86-64
4/5-level, arm64 4K/16K/64K, RISC-V Sv39/48/57, ppc64 radix) through one
level-agnostic API. This package holds the ptkit command-line tool and the
shared library libptkit.so.${PROJECT_VERSION_MAJOR}.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libptkit-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DEPENDS runtime) # Depends: ptkit (= VERSION)
set(CPACK_DEBIAN_DEV_DESCRIPTION
    "build, walk, change and check hardware page tables - development files
ptkit builds, walks, changes and checks real hardware page tables through
one level-agnostic API. This package holds the C headers, the static
libraries, the pkg-config file (ptkit.pc) and the CMake package
(find_package(ptkit) gives ptkit::ptkit).")

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
# machine-readable format. Packages only: `make install` leaves them out.
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
install(FILES ${PROJECT_BINARY_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/ptkit
        COMPONENT runtime EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_BINARY_DIR}/copyright
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/libptkit-dev COMPONENT dev EXCLUDE_FROM_ALL)

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
