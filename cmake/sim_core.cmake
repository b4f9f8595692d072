# sim/core: plain C++ semantics of the keyed array (no SystemC).
add_library(keymac_core STATIC
  sim/core/geometry.cc
  sim/core/key.cc
  sim/core/keyed_gemm.cc
  sim/core/schedule.cc
)
target_include_directories(keymac_core PUBLIC ${CMAKE_SOURCE_DIR})
include(base)  # base/ (errors, output layer, spawn): below sim in the folder order
target_link_libraries(keymac_core PUBLIC keymac_base)
target_link_libraries(keymac_core PUBLIC keymac_params)
keymac_warnings(keymac_core)
# SystemC-model issue: cycle semantics shared by the SystemC model and co-simulation.
target_sources(keymac_core PRIVATE
  sim/core/fold_engine.cc
  sim/core/memory_system.cc
  sim/core/sequencer.cc
  sim/core/ws_array_core.cc
)
# Hardening: capped reads of untrusted input files (docs/RELIABILITY.md).
target_sources(keymac_core PRIVATE sim/core/capped_read.cc)
# Key-expansion issue: Trivium, master keys and the expanded key source.
target_sources(keymac_core PRIVATE
  sim/core/trivium.cc
  sim/core/master_key.cc
  sim/core/expanded_key_source.cc
  sim/core/key_exp_unit.cc
)
# The cycle-stepped memory system: the reference for MemorySystem::plan.
target_sources(keymac_core PRIVATE sim/core/cycle_memory.cc)
# The one cycle-by-cycle driver of an array (reset, key load, layers).
target_sources(keymac_core PRIVATE sim/core/cycle_driver.cc)
# The int8 GEMM kernels behind keyed_gemm (portable and AVX2; sim/core/gemm_kernel.h).
target_sources(keymac_core PRIVATE sim/core/gemm_kernel.cc)
