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
