# host/security/: the security harness and attacks (docs/SECURITY.md), `keymac
# attack` and `keymac export`. Attacks that need libtorch (gradient, finetune)
# are added to keymac_security by their own part with KEYMAC_HAVE_TORCH.
add_library(keymac_security STATIC
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
