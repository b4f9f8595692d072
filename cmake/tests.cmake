# tests/: GoogleTest suites and end-to-end scripts, labelled so that
# `ctest -L unit`, `-L sim`, `-L rtl`, `-L synth`, `-L cosim`, `-L e2e` run on their own.
add_executable(keymac_host_tests
  tests/host/keyed_gemm_test.cc
  tests/host/key_test.cc
  tests/host/runtime_test.cc
)
target_link_libraries(keymac_host_tests PRIVATE keymac_runtime GTest::gtest_main)
target_compile_definitions(keymac_host_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
keymac_warnings(keymac_host_tests)
gtest_discover_tests(keymac_host_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

# End-to-end scripts: run the keymac binary as a user would.
set(KEYMAC_E2E_ENV "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
foreach(t cli_errors main_job lock_and_package any_onnx full_test_set synth_cli interrupt systemc_full)
  add_test(NAME e2e.${t} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/${t}.sh)
  set_tests_properties(e2e.${t} PROPERTIES LABELS e2e ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 600)
endforeach()
# keymac run --saif (docs/TRACES.md); the RTL-hierarchy part when the RTL is built.
add_test(NAME e2e.saif_run COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/saif_run.sh)
set_tests_properties(e2e.saif_run PROPERTIES LABELS "e2e;traces" TIMEOUT 300
  ENVIRONMENT "${KEYMAC_E2E_ENV};KEYMAC_HAS_RTL=$<TARGET_EXISTS:keymac_rtl_models>")
# keymac run --topology (SCALE-Sim topologies in, traces/reports/Accelergy out; docs/SCALESIM.md).
add_test(NAME e2e.topology_run COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/topology_run.sh)
set_tests_properties(e2e.topology_run PROPERTIES LABELS "e2e;traces" TIMEOUT 300 ENVIRONMENT "${KEYMAC_E2E_ENV}")
# Options a backend cannot honour are refused; traces say what they cover (docs/TRACES.md).
add_test(NAME e2e.no_silent_noops COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/no_silent_noops.sh)
set_tests_properties(e2e.no_silent_noops PROPERTIES LABELS "e2e;traces" TIMEOUT 300
  ENVIRONMENT "${KEYMAC_E2E_ENV};KEYMAC_HAS_RTL=$<TARGET_EXISTS:keymac_rtl_models>")
add_test(NAME e2e.train_smoke COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/train_smoke.sh)
set_tests_properties(e2e.train_smoke PROPERTIES LABELS e2e TIMEOUT 300)
# Hardening (docs/RELIABILITY.md): bad outputs, hostile names, CLI values,
# concurrency; the search of every output for the key.
foreach(t bad_outputs key_leak)
  add_test(NAME e2e.${t} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/${t}.sh)
  set_tests_properties(e2e.${t} PROPERTIES LABELS e2e TIMEOUT 600
    ENVIRONMENT "${KEYMAC_E2E_ENV};KEYMAC_HAS_RTL=$<TARGET_EXISTS:keymac_rtl_models>")
endforeach()

# Design-space sweeps (docs/SWEEP.md): labels e2e + sweep (+ slurm for the
# single-node Slurm job-array test, which needs root).
foreach(t errors resume shards slurm)
  add_test(NAME sweep.${t} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/sweep/sweep_${t}.sh)
  set_tests_properties(sweep.${t} PROPERTIES LABELS "e2e;sweep" ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 400)
endforeach()
set_tests_properties(sweep.slurm PROPERTIES LABELS "e2e;sweep;slurm" RUN_SERIAL TRUE)
# The example specs of scripts/sweeps run as shipped and emit working launchers.
add_test(NAME sweep.examples COMMAND bash ${CMAKE_SOURCE_DIR}/tests/sweep/sweep_examples.sh)
set_tests_properties(sweep.examples PROPERTIES LABELS "e2e;sweep" ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 600)
add_test(NAME sweep.plot COMMAND bash ${CMAKE_SOURCE_DIR}/tests/sweep/sweep_plot.sh)
set_tests_properties(sweep.plot PROPERTIES LABELS "e2e;sweep" ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 300)

# Co-simulation (model vs verilated RTL) and the RTL backend.
if(TARGET keymac_rtl_models)
  add_executable(keymac_cosim_tests tests/cosim/cosim_test.cc)
  target_link_libraries(keymac_cosim_tests PRIVATE keymac_backends GTest::gtest_main)
  keymac_warnings(keymac_cosim_tests)
  gtest_discover_tests(keymac_cosim_tests PROPERTIES LABELS cosim DISCOVERY_TIMEOUT 60)
  # The expanded key mode: co-simulation (label cosim) and the RTL backend (label rtl).
  add_executable(keymac_cosim_expanded_tests tests/cosim/cosim_expanded_test.cc)
  target_link_libraries(keymac_cosim_expanded_tests PRIVATE keymac_backends GTest::gtest_main)
  keymac_warnings(keymac_cosim_expanded_tests)
  gtest_discover_tests(keymac_cosim_expanded_tests PROPERTIES LABELS cosim DISCOVERY_TIMEOUT 60)
  add_executable(keymac_rtl_expanded_tests tests/rtl/rtl_backend_expanded_test.cc)
  target_link_libraries(keymac_rtl_expanded_tests PRIVATE keymac_backends GTest::gtest_main)
  keymac_warnings(keymac_rtl_expanded_tests)
  gtest_discover_tests(keymac_rtl_expanded_tests PROPERTIES LABELS rtl DISCOVERY_TIMEOUT 60)
  foreach(t rtl_backend cosim_cli waveform_time cosim_expanded)
    add_test(NAME e2e.${t} COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/${t}.sh)
    set_tests_properties(e2e.${t} PROPERTIES LABELS "e2e;cosim" ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 900)
  endforeach()
endif()
# Hardening (issue 15): one line naming the file for every hostile input (docs/RELIABILITY.md).
add_test(NAME e2e.bad_inputs COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/bad_inputs.sh)
set_tests_properties(e2e.bad_inputs PROPERTIES LABELS e2e ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 900)
add_executable(keymac_input_caps_tests tests/host/input_caps_test.cc)
target_link_libraries(keymac_input_caps_tests PRIVATE keymac_sweep GTest::gtest_main)
keymac_warnings(keymac_input_caps_tests)
gtest_discover_tests(keymac_input_caps_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)

# Key expansion (ARCHITECTURE.md section 11): Trivium vectors, key sources, locking, relock.
add_executable(keymac_keyexp_tests
  tests/sim/trivium_test.cc
  tests/host/expanded_key_test.cc
)
target_link_libraries(keymac_keyexp_tests PRIVATE keymac_runtime GTest::gtest_main)
target_compile_definitions(keymac_keyexp_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
keymac_warnings(keymac_keyexp_tests)
gtest_discover_tests(keymac_keyexp_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
add_test(NAME e2e.key_expansion COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/key_expansion.sh)
set_tests_properties(e2e.key_expansion PROPERTIES LABELS e2e ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 600)
add_test(NAME e2e.synth_keyexp COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/synth_keyexp.sh)
set_tests_properties(e2e.synth_keyexp PROPERTIES LABELS "e2e;synth" ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 600)

# systemc --timing cycle vs fold on the shipped models (docs/SYSTEMC.md).
add_test(NAME e2e.systemc_timing_cycle COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/systemc_timing_cycle.sh)
set_tests_properties(e2e.systemc_timing_cycle PROPERTIES LABELS "e2e;sim" ENVIRONMENT "${KEYMAC_E2E_ENV}" TIMEOUT 600)
# Settings registry (issue 14): CLI, JSON config and sweep accept exactly the declared set.
add_executable(keymac_settings_tests tests/host/settings_test.cc host/cli/cmd_run.cc host/cli/settings_flags.cc)
target_link_libraries(keymac_settings_tests PRIVATE keymac_sweep CLI11::CLI11 GTest::gtest_main)
target_compile_definitions(keymac_settings_tests PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
keymac_warnings(keymac_settings_tests)
gtest_discover_tests(keymac_settings_tests DISCOVERY_TIMEOUT 60)
# Two labels (unit, settings): set after discovery (gtest_discover_tests flattens lists).
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/keymac_settings_tests_labels.cmake"
  "if(keymac_settings_tests_TESTS)\n  set_tests_properties(\${keymac_settings_tests_TESTS} PROPERTIES LABELS \"unit;settings\")\nendif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${CMAKE_CURRENT_BINARY_DIR}/keymac_settings_tests_labels.cmake")
# --scalesim-trace says what it wrote and leaves no empty file (docs/TRACES.md).
add_test(NAME e2e.scalesim_trace_notes COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/scalesim_trace_notes.sh)
set_tests_properties(e2e.scalesim_trace_notes PROPERTIES LABELS "e2e;traces" TIMEOUT 300 ENVIRONMENT "${KEYMAC_E2E_ENV}")
# keymac does not map libtorch; the torch attacks load from keymac_torch.so (docs/SECURITY.md).
add_test(NAME e2e.lazy_torch COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/lazy_torch.sh)
set_tests_properties(e2e.lazy_torch PROPERTIES LABELS "e2e;security" TIMEOUT 120 ENVIRONMENT "${KEYMAC_E2E_ENV}")
# keymac run --topology on SCALE-Sim's own example topologies (docs/SCALESIM.md).
add_test(NAME e2e.scalesim_topologies COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/scalesim_topologies.sh)
set_tests_properties(e2e.scalesim_topologies PROPERTIES LABELS "e2e;traces" TIMEOUT 120 ENVIRONMENT "${KEYMAC_E2E_ENV}")

# Issue 12: graphs and operators. PyTorch builds one model per feature into the
# build tree (fixture), the gtest compares keymac against PyTorch's outputs.
add_executable(keymac_graph_tests tests/host/graph_models_test.cc)
target_link_libraries(keymac_graph_tests PRIVATE keymac_runtime GTest::gtest_main)
keymac_warnings(keymac_graph_tests)
add_executable(keymac_graph_unit_tests tests/host/graph_ops_test.cc)
target_link_libraries(keymac_graph_unit_tests PRIVATE keymac_runtime GTest::gtest_main)
keymac_warnings(keymac_graph_unit_tests)
gtest_discover_tests(keymac_graph_unit_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
# Issue 12: ceil_mode, count_include_pad, auto_pad and 1-D pools against closed forms.
add_executable(keymac_pool_window_tests tests/host/pool_window_test.cc)
target_link_libraries(keymac_pool_window_tests PRIVATE keymac_runtime GTest::gtest_main)
keymac_warnings(keymac_pool_window_tests)
gtest_discover_tests(keymac_pool_window_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
add_test(NAME graph.models_export COMMAND ${PYTHON3_SYSTEM} ${CMAKE_SOURCE_DIR}/tests/models/make_graph_models.py
         ${CMAKE_BINARY_DIR}/graph_models)
set_tests_properties(graph.models_export PROPERTIES LABELS e2e FIXTURES_SETUP graph_models TIMEOUT 300)
gtest_discover_tests(keymac_graph_tests PROPERTIES LABELS e2e FIXTURES_REQUIRED graph_models
  ENVIRONMENT "KEYMAC_GRAPH_MODELS=${CMAKE_BINARY_DIR}/graph_models" DISCOVERY_TIMEOUT 60)
add_test(NAME e2e.graph_cli COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/graph_cli.sh)
set_tests_properties(e2e.graph_cli PROPERTIES LABELS e2e FIXTURES_REQUIRED graph_models TIMEOUT 300
  ENVIRONMENT "${KEYMAC_E2E_ENV};KEYMAC_GRAPH_MODELS=${CMAKE_BINARY_DIR}/graph_models")
# The SystemC VCD writes vectors at full width (OpenSTA misread short values; docs/TRACES.md "OpenSTA").
add_test(NAME e2e.sc_vcd_full_width COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/sc_vcd_full_width.sh)
set_tests_properties(e2e.sc_vcd_full_width PROPERTIES LABELS "e2e;traces" TIMEOUT 120 ENVIRONMENT "${KEYMAC_E2E_ENV}")
# The int8 GEMM kernels (portable, AVX2) against a triple loop (issue 12 item 6).
add_executable(keymac_gemm_kernel_tests tests/sim/gemm_kernel_test.cc)
target_link_libraries(keymac_gemm_kernel_tests PRIVATE keymac_core GTest::gtest_main)
keymac_warnings(keymac_gemm_kernel_tests)
gtest_discover_tests(keymac_gemm_kernel_tests PROPERTIES LABELS "unit;sim" DISCOVERY_TIMEOUT 60)
# im2col's fast paths against its definition (issue 12 item 6).
add_executable(keymac_im2col_tests tests/host/im2col_test.cc)
target_link_libraries(keymac_im2col_tests PRIVATE keymac_runtime GTest::gtest_main)
keymac_warnings(keymac_im2col_tests)
gtest_discover_tests(keymac_im2col_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
# The requantization kernel against apply_requant element by element (issue 12 item 6).
add_executable(keymac_requant_kernel_tests tests/host/requant_kernel_test.cc)
target_link_libraries(keymac_requant_kernel_tests PRIVATE keymac_runtime GTest::gtest_main)
keymac_warnings(keymac_requant_kernel_tests)
gtest_discover_tests(keymac_requant_kernel_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
# The float GEMM's paths bit for bit against its contract (issue 12 item 6).
add_executable(keymac_float_gemm_tests tests/host/float_gemm_test.cc)
target_link_libraries(keymac_float_gemm_tests PRIVATE keymac_runtime GTest::gtest_main)
keymac_warnings(keymac_float_gemm_tests)
gtest_discover_tests(keymac_float_gemm_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
