# Warnings for project code only; generated Protobuf code links raftmq_proto without them.
# They are errors only with RAFTMQ_WERROR (CI), so a newer compiler cannot break a user's build.
# -Wconversion is not on yet. Measured on 2026-12-02 with -Wconversion -Wno-sign-conversion
# (-fsyntax-only over compile_commands.json): no warning in src/common, storage/, raft/
# (50 files), src/client/ and nameserver/ (about 27 files). broker/, tests/, chaos/ and the
# CLI were not measured; turn it on once a whole -Werror build with it is clean.
add_library(raftmq_warnings INTERFACE)
target_compile_options(raftmq_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wno-missing-field-initializers)
if(RAFTMQ_WERROR)
  target_compile_options(raftmq_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O3 reports std::string concatenation as an overlapping memcpy (GCC bug 105329,
# a false positive inside libstdc++), which would fail every Release build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(raftmq_warnings INTERFACE -Wno-restrict)
endif()

# raftmq_add_gtest(<name> LABEL <area> SOURCES ... LIBS ... [PROPERTIES ...]): one gtest
# binary (with tests/support: temp dirs, free ports, child processes) whose tests ctest lists
# one by one, labelled by area so `ctest -L <area>` runs a part alone; PROPERTIES are more
# ctest properties of every test (fixtures, environment).
# raftmq_tests builds every gtest binary and, through their dependencies, the processes they
# start, but not the CLI or the chaos harness (the sanitizer passes build only this).
include(GoogleTest)
add_custom_target(raftmq_tests)
function(raftmq_add_gtest name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;LIBS;PROPERTIES" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  add_dependencies(raftmq_tests ${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} raftmq_test_support GTest::gtest GTest::gmock GTest::gtest_main raftmq_warnings)
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT} ${ARG_PROPERTIES}
    DISCOVERY_TIMEOUT 60)
endfunction()

# raftmq_add_bench(name SOURCES ... LIBS ...): a benchmark binary, outside `all` and ctest
# (timings are not test assertions); build it by name: `cmake --build <dir> --target <name>`.
function(raftmq_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} raftmq_warnings)
endfunction()
