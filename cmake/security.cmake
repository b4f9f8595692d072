# host/security/: the security harness and attacks (docs/SECURITY.md), `keymac
# attack` and `keymac export`. Attacks that need libtorch (gradient, finetune)
# are added to keymac_security by their own part with KEYMAC_HAVE_TORCH.
add_library(keymac_security STATIC
  host/security/attack_plot.cc
  host/security/attack_registry.cc
  host/security/attack_datafree.cc
  host/security/attack_distance.cc
  host/security/attack_greedy.cc
  host/security/attack_power.cc
  host/security/attack_util.cc
  host/security/harness.cc
  host/security/onnx_export.cc
  host/security/power_model.cc
)
target_link_libraries(keymac_security PUBLIC keymac_runtime)
# The inference oracle is shared with `keymac run` (its wrong-key pass).
target_sources(keymac_runtime PRIVATE host/security/oracle.cc)
keymac_warnings(keymac_security)
target_sources(keymac PRIVATE host/cli/cmd_attack.cc host/cli/cmd_export.cc)
target_link_libraries(keymac PRIVATE keymac_security)

# Tests (label `security`): tiny models and arrays where the outcome is known.
if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
  add_executable(keymac_security_tests tests/security/security_test.cc tests/security/keyexp_strength_test.cc)
  target_link_libraries(keymac_security_tests PRIVATE keymac_security keymac_energy GTest::gtest_main)
  keymac_warnings(keymac_security_tests)
  gtest_discover_tests(keymac_security_tests PROPERTIES LABELS security DISCOVERY_TIMEOUT 60)
  add_test(NAME security.attack_sources COMMAND bash ${CMAKE_SOURCE_DIR}/tests/security/attack_sources_test.sh)
  set_tests_properties(security.attack_sources PROPERTIES LABELS security ENVIRONMENT "KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
  add_test(NAME security.attack_cli COMMAND bash ${CMAKE_SOURCE_DIR}/tests/security/attack_cli.sh)
  set_tests_properties(security.attack_cli PROPERTIES LABELS "security;e2e" TIMEOUT 600
    ENVIRONMENT "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
endif()

# Inference-oracle throughput (Google Benchmark; not part of ctest).
if(NOT "bench" IN_LIST KEYMAC_SKIP_PARTS)
  add_executable(keymac_bench_oracle bench/bench_oracle.cc)
  target_link_libraries(keymac_bench_oracle PRIVATE keymac_runtime benchmark::benchmark)
  target_compile_definitions(keymac_bench_oracle PRIVATE KEYMAC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  keymac_warnings(keymac_bench_oracle)
endif()
if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
  add_test(NAME security.run_report_secrecy COMMAND bash ${CMAKE_SOURCE_DIR}/tests/security/run_report_secrecy.sh)
  set_tests_properties(security.run_report_secrecy PROPERTIES LABELS "security;e2e" TIMEOUT 300
    ENVIRONMENT "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
endif()
# Issue 11: every attack kind against an expanded key, and expanded-mode energy (tiny; label security).
if(NOT "tests" IN_LIST KEYMAC_SKIP_PARTS)
  add_test(NAME security.attack_expanded_cli COMMAND bash ${CMAKE_SOURCE_DIR}/tests/security/attack_expanded_cli.sh)
  set_tests_properties(security.attack_expanded_cli PROPERTIES LABELS "security;e2e" TIMEOUT 600
    ENVIRONMENT "KEYMAC=$<TARGET_FILE:keymac>;KEYMAC_SRC=${CMAKE_SOURCE_DIR}")
endif()
