// The SystemC backend: the cycle-accurate model of the keyed array, its
// sequencer and its memory system (docs/SYSTEMC.md), behind ArrayBackend.
//
// Contract (beyond ArrayBackend's):
//  * The constructor validates options.memory for the geometry (keymac::Error
//    naming the parameter). Any number of SystemcBackend objects may exist in
//    one process, with different geometries and memory configs; they share
//    the one SystemC elaboration and must be used one at a time (not
//    thread-safe).
//  * reset(key) models reset plus the R*C-cycle serial key load (key_load_cycles()),
//    which is not part of any layer's cycles. An expanded key (ARCHITECTURE.md
//    section 11) loads its 80 master-key bits instead, and every layer then
//    adds the key unit's warm-up, key->warmup_cycles(), to its cycles.
//  * run_gemm() returns y bit-identical to the functional backend's; cycles =
//    Schedule::cycles() + stall_cycles, stall_cycles == 0 with ideal memory;
//    counters are named in docs/SYSTEMC.md (sram.*, dram.*, array.*).
//  * With options.trace.vcd_path set, a VCD of the cycles window_from ..
//    window_to is written; cycles are counted from this backend's first
//    reset, key loads included.
#pragma once
#include <memory>

#include "host/backend/array_backend.h"

namespace keymac {

class ArrayContext;

class SystemcBackend : public ArrayBackend {
 public:
  SystemcBackend(Geometry g, const BackendOptions& options);
  ~SystemcBackend() override;
  std::string name() const override { return "systemc"; }
  Geometry geometry() const override { return g_; }
  void reset(const KeySource* key) override;
  bool supports_expanded_key() const override { return true; }
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;
  void finish() override;  // closes the VCD; throws its write error

  uint64_t key_load_cycles() const;
  bool key_sealed() const;
  bool key_error() const;
  uint64_t total_cycles() const;  // key loads + layers since construction

 private:
  Geometry g_;
  BackendOptions options_;
  std::unique_ptr<ArrayContext> ctx_;
  bool was_reset_ = false;
};

}  // namespace keymac
