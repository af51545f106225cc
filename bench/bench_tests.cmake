# SPDX-License-Identifier: MIT
# ptkit_bench (issue 7): ptkit vs hand-written per-level reference walkers vs the plain-loop
# limit. Built with the project's flags (scripts/bench.sh configures RelWithDebInfo: -O2).
# One CTest test runs it at a tiny size: it checks that ptkit and the reference agree on
# every workload, never timing (so it also passes under PTKIT_SANITIZE).
if(NOT PTKIT_HAVE_CORE)
  return()
endif()

file(GLOB PTKIT_BENCH_REF_SRCS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/reference/ref_*.c)
file(GLOB PTKIT_BENCH_STATIC_SRCS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/static/*.c)
add_executable(ptkit_bench ${CMAKE_CURRENT_LIST_DIR}/bench.c ${PTKIT_BENCH_REF_SRCS}
                           ${PTKIT_BENCH_STATIC_SRCS})
target_link_libraries(ptkit_bench PRIVATE ptkit_hosted)
target_include_directories(ptkit_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR})
set_target_properties(ptkit_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)

# The src/mm workloads (GUP, follow_pfnmap: bench_mm.c and its references
# reference/mm_<format>.c) need ptkit_mm (liburcu); without it they are left out.
if(TARGET ptkit_mm)
  file(GLOB PTKIT_BENCH_MM_REF_SRCS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/reference/mm_*.c)
  target_sources(ptkit_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/bench_mm.c
                                     ${PTKIT_BENCH_MM_REF_SRCS})
  target_link_libraries(ptkit_bench PRIVATE ptkit_mm)
  target_compile_definitions(ptkit_bench PRIVATE PTKIT_BENCH_MM=1)
endif()

# Per-segment instruction counts under callgrind need its client-request header.
include(CheckIncludeFile)
check_include_file(valgrind/callgrind.h PTKIT_HAVE_CALLGRIND_H)
if(PTKIT_HAVE_CALLGRIND_H)
  target_compile_definitions(ptkit_bench PRIVATE PTKIT_BENCH_CALLGRIND)
endif()

add_test(NAME bench_quick COMMAND ptkit_bench --tiny)
set_tests_properties(bench_quick PROPERTIES TIMEOUT 300 LABELS bench)
