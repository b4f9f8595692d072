# tests/fuzz: libFuzzer harnesses (ASan + UBSan) for the readers of untrusted
# input (docs/RELIABILITY.md, "Fuzzing"). They need clang while the main build
# uses the default compiler, so tests/fuzz is its own small CMake project: the
# ctest fixture fuzz.build configures and builds it with clang in
# <build>/fuzz, then each harness runs its regression inputs
# (fuzz.<harness>.regress) and fuzzes for KEYMAC_FUZZ_SECONDS
# (fuzz.<harness>). Label: fuzz. On by default when clang++ is installed.
find_program(KEYMAC_CLANGXX NAMES clang++-14 clang++)
set(_keymac_fuzz_default OFF)
if(KEYMAC_CLANGXX)
  set(_keymac_fuzz_default ON)
endif()
option(KEYMAC_FUZZ "build and run the libFuzzer harnesses under tests/fuzz (ctest -L fuzz)" ${_keymac_fuzz_default})
set(KEYMAC_FUZZ_SECONDS 30 CACHE STRING "seconds each harness fuzzes in ctest -L fuzz")

if(KEYMAC_FUZZ)
  if(NOT KEYMAC_CLANGXX)
    message(FATAL_ERROR "KEYMAC_FUZZ needs clang++ (Debian: apt-get install clang)")
  endif()
  set(_fuzz_bin "${CMAKE_BINARY_DIR}/fuzz")
  set(_fuzz_sh "${CMAKE_SOURCE_DIR}/tests/fuzz/run_fuzz.sh")
  add_test(NAME fuzz.build COMMAND bash ${_fuzz_sh} build ${CMAKE_SOURCE_DIR} ${_fuzz_bin} ${KEYMAC_CLANGXX})
  set_tests_properties(fuzz.build PROPERTIES LABELS fuzz FIXTURES_SETUP keymac_fuzz_build TIMEOUT 1800)
  foreach(h onnx package key vcd sweep_spec drop_if)
    add_test(NAME fuzz.${h}.regress COMMAND bash ${_fuzz_sh} regress ${CMAKE_SOURCE_DIR} ${_fuzz_bin} ${h})
    add_test(NAME fuzz.${h} COMMAND bash ${_fuzz_sh} fuzz ${CMAKE_SOURCE_DIR} ${_fuzz_bin} ${h} ${KEYMAC_FUZZ_SECONDS})
    set_tests_properties(fuzz.${h}.regress fuzz.${h} PROPERTIES LABELS fuzz FIXTURES_REQUIRED keymac_fuzz_build)
    set_tests_properties(fuzz.${h} PROPERTIES TIMEOUT 600)
  endforeach()
endif()
