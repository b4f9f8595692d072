# host/: the runtime (import, quantize, lock, map, backends, report) and CLI.
add_library(keymac_backends STATIC
  host/backend/backend_registry.cc
  host/backend/functional_backend.cc
)
target_link_libraries(keymac_backends PUBLIC keymac_core fmt::fmt)
keymac_warnings(keymac_backends)
# The RTL backend and co-simulation need the verilated models (rtl.cmake).
if(TARGET keymac_rtl_models)
  target_sources(keymac_backends PRIVATE host/backend/rtl_backend.cc host/cosim/lockstep.cc host/cosim/cosim_backend.cc)
  target_link_libraries(keymac_backends PUBLIC keymac_rtl_models)
  target_compile_definitions(keymac_backends PUBLIC KEYMAC_HAVE_RTL=1)
endif()

add_library(keymac_runtime STATIC
  host/data/idx_dataset.cc
  host/lock/package.cc
  host/lock/key_file.cc
  host/model/float_executor.cc
  host/model/graph.cc
  host/model/host_ops.cc
  host/quant/quant_check.cc
  host/model/onnx_import.cc
  host/quant/quantize.cc
  host/report/text_report.cc
  host/runtime/evaluator.cc
  host/runtime/int8_runner.cc
  host/runtime/progress.cc
  host/runtime/run_job.cc
  host/runtime/run_traces.cc
  host/runtime/topology_file.cc
  host/runtime/topology_job.cc
  host/synth/synth_runner.cc
)
target_link_libraries(keymac_runtime PUBLIC keymac_backends keymac_onnx nlohmann_json::nlohmann_json
  fmt::fmt ZLIB::ZLIB Threads::Threads)
target_compile_definitions(keymac_runtime PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
keymac_warnings(keymac_runtime)
target_sources(keymac_runtime PRIVATE host/runtime/honoured_options.cc host/runtime/trace_notes.cc)  # traces issue: no silent no-ops

add_executable(keymac
  host/cli/main.cc
  host/cli/cmd_keygen.cc
  host/cli/cmd_lock.cc
  host/cli/cmd_relock.cc
  host/cli/cmd_run.cc
  host/cli/cmd_synth.cc
  $<$<TARGET_EXISTS:keymac_rtl_models>:${CMAKE_SOURCE_DIR}/host/cli/cmd_cosim.cc>
)
target_link_libraries(keymac PRIVATE keymac_runtime CLI11::CLI11)
keymac_warnings(keymac)

# Functional-backend benchmark (Google Benchmark; figures in docs/BENCH.md).
add_executable(bench_functional bench/bench_functional.cc)
target_link_libraries(bench_functional PRIVATE keymac_runtime benchmark::benchmark)
target_compile_definitions(bench_functional PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

# Design-space sweeps, shard launchers, merge and plots (docs/SWEEP.md).
add_library(keymac_sweep STATIC
  host/sweep/filter_expr.cc
  host/sweep/result_columns.cc
  host/sweep/results_file.cc
  host/sweep/sweep_emit.cc
  host/sweep/sweep_merge.cc
  host/sweep/sweep_plot.cc
  host/sweep/sweep_runner.cc
  host/sweep/sweep_spec.cc
)
target_link_libraries(keymac_sweep PUBLIC keymac_runtime)
target_compile_definitions(keymac_sweep PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
keymac_warnings(keymac_sweep)
target_sources(keymac PRIVATE host/cli/cmd_sweep.cc host/cli/cmd_plot.cc)
target_link_libraries(keymac PRIVATE keymac_sweep)
# Settings registry (issue 14): memory and run settings declared once.
target_sources(keymac_backends PRIVATE host/backend/settings.cc)
target_link_libraries(keymac_backends PUBLIC nlohmann_json::nlohmann_json)
target_sources(keymac PRIVATE host/cli/settings_flags.cc)
# The int8 requantization kernel (portable, AVX2; issue 12 item 6).
target_sources(keymac_runtime PRIVATE host/runtime/requant_kernel.cc)
