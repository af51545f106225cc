# SPDX-License-Identifier: MIT
# The installable library (issue 17): libptkit.so.MAJOR (core + hosted backends, and the mm
# layer when liburcu was found), the static archives, the headers, the CLI with its man page
# and bash completion, ptkit.pc and the CMake package (find_package(ptkit) -> ptkit::ptkit).
# `make install` / `cmake --install`. Every install() names its component, which is its
# Debian package (cmake/package.cmake): lib -> libptkit0, runtime -> ptkit, dev ->
# libptkit-dev, python -> python3-ptkit.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# make deb's build (cmake/package.cmake) installs what a Debian package wants: the man page
# gzipped, the Python package without _installed.py (cmake/python.cmake).
option(PTKIT_DEB "Install as the Debian packages of make deb want (docs/PACKAGING.md)" OFF)

# ptkit_gzip(IN OUT): OUT is IN compressed as Debian wants (gzip -9n: no name, no time
# stamp), made at configure time and again when IN changes.
function(ptkit_gzip in out)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${in})
  get_filename_component(dir ${out} DIRECTORY)
  file(MAKE_DIRECTORY ${dir})
  execute_process(COMMAND gzip -9n -c ${in} OUTPUT_FILE ${out} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ptkit: gzip -9n ${in} failed (${rc})")
  endif()
endfunction()

set(PTKIT_LIB_PARTS ptkit_core ptkit_hosted)
set(PTKIT_HAS_MM OFF)
if(TARGET ptkit_mm)
  list(PREPEND PTKIT_LIB_PARTS ptkit_mm)
  set(PTKIT_HAS_MM ON)
endif()
# The archives' objects also make the shared library: position-independent, and compiled
# without semantic interposition so -fPIC costs no inlining.
set_target_properties(${PTKIT_LIB_PARTS} PROPERTIES POSITION_INDEPENDENT_CODE ON)
foreach(part ${PTKIT_LIB_PARTS})
  target_compile_options(${part} PRIVATE -fno-semantic-interposition)
endforeach()

# Every object of the archives (CMake wants one source: an empty one), exports from
# cmake/ptkit.map.
set(PTKIT_MAP ${PROJECT_SOURCE_DIR}/cmake/ptkit.map)
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/ptkit_shared.c
     CONTENT "/* libptkit.so: the objects of the archives (cmake/install.cmake). */\n")
add_library(ptkit_shared SHARED ${PROJECT_BINARY_DIR}/ptkit_shared.c)
foreach(part ${PTKIT_LIB_PARTS})
  target_sources(ptkit_shared PRIVATE $<TARGET_OBJECTS:${part}>)
endforeach()
if(PTKIT_HAS_MM)
  target_link_libraries(ptkit_shared PRIVATE ${PTKIT_MM_LIBS})
endif()
# The kdump page codecs found at configure time (src/mem/decompress.c).
target_link_libraries(ptkit_shared PRIVATE ${PTKIT_CODEC_LIBS})
target_link_options(ptkit_shared PRIVATE -Wl,--version-script=${PTKIT_MAP} -Wl,--no-undefined)
target_include_directories(ptkit_shared INTERFACE
  "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include;${PROJECT_SOURCE_DIR}/src>"
  "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR};${CMAKE_INSTALL_INCLUDEDIR}/ptkit/internal>")
set_target_properties(ptkit_shared PROPERTIES
  OUTPUT_NAME ptkit EXPORT_NAME ptkit LINKER_LANGUAGE C LINK_DEPENDS ${PTKIT_MAP}
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

# libptkit.a: the same objects in one archive, for a static link with `pkg-config --static`
# (its Libs.private) or ptkit's archives named one by one.
add_library(ptkit_static STATIC ${PROJECT_BINARY_DIR}/ptkit_shared.c)
foreach(part ${PTKIT_LIB_PARTS})
  target_sources(ptkit_static PRIVATE $<TARGET_OBJECTS:${part}>)
endforeach()
set_target_properties(ptkit_static PROPERTIES OUTPUT_NAME ptkit LINKER_LANGUAGE C)

# --- what gets installed ----------------------------------------------------------------
install(TARGETS ptkit_shared EXPORT ptkit-targets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        COMPONENT lib NAMELINK_COMPONENT dev)
install(TARGETS ${PTKIT_LIB_PARTS} ptkit_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        COMPONENT dev)
# `cmake --install --strip` (and CPack's CPACK_STRIP_FILES) strips programs and shared
# libraries only, and keeps their .comment: as dh_strip does, the archives lose their debug
# information here, and all of them .comment and .note (lintian: unstripped-static-library,
# binary-has-unneeded-section). ptkit_install_strip(COMPONENT TARGET...), after their install().
function(ptkit_install_strip comp)
  set(files)
  foreach(t ${ARGN})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      list(APPEND files "${CMAKE_INSTALL_BINDIR}/$<TARGET_FILE_NAME:${t}>")
    else()
      list(APPEND files "${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:${t}>")
    endif()
  endforeach()
  install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
      foreach(f ${files})
        if(NOT IS_ABSOLUTE \${f})
          set(f \${CMAKE_INSTALL_PREFIX}/\${f})
        endif()
        set(debug)
        if(f MATCHES \"[.]a$\")
          set(debug --strip-debug --enable-deterministic-archives)
        endif()
        execute_process(COMMAND \"${CMAKE_STRIP}\" \${debug} --remove-section=.comment
                                --remove-section=.note \$ENV{DESTDIR}\${f} RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
          message(FATAL_ERROR \"strip \$ENV{DESTDIR}\${f} failed\")
        endif()
      endforeach()
    endif()" COMPONENT ${comp})
endfunction()
ptkit_install_strip(lib ptkit_shared)
ptkit_install_strip(dev ${PTKIT_LIB_PARTS} ptkit_static)
if(TARGET ptkit)
  install(TARGETS ptkit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  ptkit_install_strip(runtime ptkit)
  set(ptkit_man ${PROJECT_SOURCE_DIR}/docs/ptkit.1)
  if(PTKIT_DEB) # policy 12.1: man pages gzip -9n
    ptkit_gzip(${ptkit_man} ${PROJECT_BINARY_DIR}/deb-doc/ptkit.1.gz)
    set(ptkit_man ${PROJECT_BINARY_DIR}/deb-doc/ptkit.1.gz)
  endif()
  install(FILES ${ptkit_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
  install(FILES ${PROJECT_SOURCE_DIR}/completions/ptkit.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ptkit
          COMPONENT runtime)
endif()
file(GLOB PTKIT_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/ptkit/*.h)
if(NOT PTKIT_HAS_MM)
  list(FILTER PTKIT_PUBLIC_HEADERS EXCLUDE REGEX "/mm\\.h$")
endif()
install(FILES ${PTKIT_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ptkit COMPONENT dev)
# <ptkit/static.h> (PTKIT_FORMAT) instantiates the walker templates of src/ in the caller:
# the format headers and templates go to include/ptkit/internal, on the include path.
foreach(dir fmt ops walk)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/${dir}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ptkit/internal COMPONENT dev
          FILES_MATCHING PATTERN "*.h")
endforeach()

# pkg-config: the prefix is found from the .pc file's own place (DESTDIR, --prefix).
string(REGEX REPLACE "[^/]+" ".." PTKIT_PC_UP "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
set(PTKIT_PC_LIBS_PRIVATE "")
if(PTKIT_HAS_MM)
  set(PTKIT_PC_LIBS_PRIVATE "-lurcu-memb -lurcu-common -pthread")
endif()
# The codecs, for a static link: -lz, and -llzo2 / -lsnappy / -lzstd as found.
if(ZLIB_FOUND)
  string(APPEND PTKIT_PC_LIBS_PRIVATE " -lz")
endif()
foreach(c LZO SNAPPY ZSTD)
  if(PTKIT_${c}_INCLUDE AND PTKIT_${c}_LIB)
    get_filename_component(lib ${PTKIT_${c}_LIB} NAME_WE)
    string(REGEX REPLACE "^lib" "-l" lib "${lib}")
    string(APPEND PTKIT_PC_LIBS_PRIVATE " ${lib}")
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/ptkit.pc.in ${PROJECT_BINARY_DIR}/ptkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ptkit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)

set(PTKIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ptkit)
install(EXPORT ptkit-targets NAMESPACE ptkit:: DESTINATION ${PTKIT_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ptkit-config.cmake.in
  ${PROJECT_BINARY_DIR}/ptkit-config.cmake INSTALL_DESTINATION ${PTKIT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ptkit-config-version.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ptkit-config.cmake
              ${PROJECT_BINARY_DIR}/ptkit-config-version.cmake DESTINATION ${PTKIT_CMAKE_DIR}
        COMPONENT dev)

# --- the test: install into a temporary prefix, build examples/ against it twice ---------
if(BUILD_TESTING)
  string(REPLACE ";" " " ptkit_consumer_flags "${PTKIT_SAN_FLAGS}")
  add_test(NAME install_consume
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/install/install_consume.sh ${PROJECT_SOURCE_DIR}
                   ${PROJECT_BINARY_DIR} ${PROJECT_BINARY_DIR}/install_consume)
  set_tests_properties(install_consume PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 ENVIRONMENT
    "CC=${CMAKE_C_COMPILER};CMAKE=${CMAKE_COMMAND};LIBDIR=${CMAKE_INSTALL_LIBDIR};MANDIR=${CMAKE_INSTALL_MANDIR};DATADIR=${CMAKE_INSTALL_DATADIR};HAS_MM=${PTKIT_HAS_MM};MAJOR=${PROJECT_VERSION_MAJOR};CONSUMER_FLAGS=${ptkit_consumer_flags}")
endif()
