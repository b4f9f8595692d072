// The SystemC backend: the cycle-accurate model of the keyed array, its
// sequencer and its memory system (docs/SYSTEMC.md), behind ArrayBackend —
// a host driver over the TLM-2.0 component KmAccel on the process-wide
// KmHostPlatform: it writes the key (or master key) and every GEMM's
// descriptor through the accelerator's register socket, places X and W in
// the platform's system memory (KmMemory), reads Y back, and takes each
// layer's statistics from the component's command history.
//
// Contract (beyond ArrayBackend's):
//  * The constructor validates options.memory for the geometry (keymac::Error
//    naming the parameter) and options.timing (fold | cycle). Any number of
//    SystemcBackend objects may exist in one process, with different
//    geometries, memory configs, timings and traces: each owns a
//    KmAccelContext (its accelerator's configuration and state, the key
//    included) that KmHostPlatform attaches to the one elaborated KmAccel
//    for each call (see km_host_platform.h for why). Used one at a time (not
//    thread-safe).
//  * reset(key) models reset plus the R*C-cycle serial key load (KEY_DATA;
//    key_load_cycles() is the KEY_LOAD_CYCLES register), which is not part
//    of any layer's cycles. An expanded key (ARCHITECTURE.md section 11)
//    sets KEY_MODE = expanded and NONCE and loads its 80 master-key bits
//    instead; every layer then adds the key unit's warm-up,
//    key->warmup_cycles(), to its cycles (IV layer = GemmJob::layer_index,
//    the descriptor's LAYER).
//  * run_gemm() returns y bit-identical to the functional backend's; cycles =
//    Schedule::cycles() + stall_cycles (+ warm-up), stall_cycles == 0 with
//    ideal memory; counters are named in docs/SYSTEMC.md (sram.*, dram.*,
//    array.*). timing "cycle": the accelerator steps the register-level array
//    and the cycle-level memory system every cycle (same results and cycles).
//  * With options.trace.vcd_path set, a VCD of the cycles window_from ..
//    window_to is written; cycles are counted from this backend's creation
//    (the NOW register: key loads and layers, so 0 is the first key bit).
//  * key_sealed(), key_error(), key_load_cycles(), total_cycles() are the
//    STATUS, KEY_LOAD_CYCLES and NOW registers as read after the last call.
#pragma once
#include <memory>

#include "host/backend/array_backend.h"

namespace keymac {

class KmAccelContext;
class KmAccelDriver;

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

  uint64_t key_load_cycles() const { return key_load_cycles_; }
  bool key_sealed() const;
  bool key_error() const;
  uint64_t total_cycles() const { return now_; }  // key loads + layers since construction

 private:
  void read_back(KmAccelDriver& d);
  Geometry g_;
  BackendOptions options_;
  std::unique_ptr<KmAccelContext> ctx_;
  bool was_reset_ = false;
  uint32_t status_ = 0;
  uint64_t key_load_cycles_ = 0, now_ = 0;
};

}  // namespace keymac
