# bench/: Google Benchmark programs (docs/BENCH.md). Not part of ctest.
add_executable(keymac_bench_systemc bench/systemc_bench.cc)
target_link_libraries(keymac_bench_systemc PRIVATE keymac_backends keymac_sc_model benchmark::benchmark)
keymac_warnings(keymac_bench_systemc)

# RTL simulation speed (verilated km_array through RtlBackend).
if(TARGET keymac_rtl_models)
  add_executable(keymac_bench_rtl bench/rtl_bench.cc)
  target_link_libraries(keymac_bench_rtl PRIVATE keymac_backends benchmark::benchmark)
  keymac_warnings(keymac_bench_rtl)
endif()
# Smoke runs (a few ms each; not measurements): the benchmarks still build and run.
add_test(NAME bench.systemc_smoke COMMAND keymac_bench_systemc
  "--benchmark_filter=BM_StepCore/R:8/C:8|BM_SystemcTiming/R=C:8/cycle:1" --benchmark_min_time=0.001)
set_tests_properties(bench.systemc_smoke PROPERTIES LABELS bench TIMEOUT 120
  ENVIRONMENT SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1)
if(TARGET keymac_bench_rtl)
  add_test(NAME bench.rtl_smoke COMMAND keymac_bench_rtl "--benchmark_filter=BM_RtlGemm/R:8/" --benchmark_min_time=0.001)
  set_tests_properties(bench.rtl_smoke PROPERTIES LABELS "bench;rtl" TIMEOUT 120)
endif()
