# Helpers shared by every module: one place sets warnings, sanitizers and test registration.

# Flags for project code only (third-party headers come in as SYSTEM includes).
function(faqbot_project_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  if(FAQBOT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      # clang-14 cannot emit -fsanitize=function's checks in C++20 coroutines ("Cannot represent
      # a difference across sections", LLVM issue 49689); GCC has no such check at all.
      target_compile_options(${target} PRIVATE -fno-sanitize=function)
    endif()
  endif()
endfunction()

# faqbot_add_library(NAME SOURCES a.cc b.cc DEPS other_targets...)
# Defines the static library faqbot_NAME.
function(faqbot_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(faqbot_${name} STATIC ${ARG_SOURCES})
  faqbot_project_flags(faqbot_${name})
  target_link_libraries(faqbot_${name} PUBLIC ${ARG_DEPS})
endfunction()

# faqbot_add_test(NAME SOURCES a_test.cc DEPS libs... [LABELS l...] [TIMEOUT s]
#                  [FIXTURES f...] [WAITS])
# One GoogleTest executable registered with CTest (each TEST becomes its own CTest case).
# FIXTURES names CTest fixtures (e.g. the throwaway PostgreSQL server) every case requires.
# CTest slots (`make test` runs `ctest -j` twice the cores): a case takes two, one core's worth,
# unless WAITS says it spends most of its time waiting on other processes and real timers (the
# end-to-end tests): those take one, so that while they wait other tests run.
function(faqbot_add_test name)
  cmake_parse_arguments(ARG "WAITS" "TIMEOUT" "SOURCES;DEPS;LABELS;FIXTURES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  faqbot_project_flags(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # Paths as macros (FAQBOT_SOURCE_DIR, FAQBOT_BINARY_DIR: string literals) and, for scripts, the
  # build folder as the working directory and in the environment. (CTest cannot pass two
  # environment variables through gtest_discover_tests, hence the macros.)
  target_compile_definitions(${name} PRIVATE FAQBOT_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             FAQBOT_BINARY_DIR="${CMAKE_BINARY_DIR}")
  # Empty property values would shift the list gtest_discover_tests passes on: add only set ones.
  set(properties TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "FAQBOT_BINARY_DIR=${CMAKE_BINARY_DIR}")
  if(ARG_WAITS)
    list(APPEND properties PROCESSORS 1)
  else()
    list(APPEND properties PROCESSORS 2)
  endif()
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  if(ARG_FIXTURES)
    list(APPEND properties FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  include(GoogleTest)
  # NO_PRETTY_VALUES: CTest names end at the parameter's name ("…/Sqlite"), without gtest's
  # "# GetParam() = <bytes>" comment.
  gtest_discover_tests(${name}
    NO_PRETTY_VALUES
    DISCOVERY_TIMEOUT 60
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    PROPERTIES ${properties})
endfunction()
