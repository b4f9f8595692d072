// KmAccelContext: everything one KmAccel instance holds per geometry — its
// construction-time configuration (KmAccelConfig: keyed, memory, clock,
// queue, cycle-level timing, trace window) and its state (key register or
// master-key register, descriptor registers, counters, device cycle count,
// the VCD tracer, the register-level array of the cycle-level option,
// completed-command history). No SystemC module: a context exists outside
// elaboration, so a platform elaborated once can serve several geometries
// (KmAccel::exchange_context, docs/SYSTEMC.md "One elaboration per process").
//
// Contract:
//  * The constructor validates the configuration (keymac::Error naming the
//    field: queue_depth 1..255, clock_period > 0, a trace only with a 10 ns
//    clock period, BoundaryTracer's time base) and creates the trace file
//    (config.trace.vcd_path non-empty).
//  * Only KmAccel reads or changes the state; the key bits are not
//    accessible outside it (no accessor returns them).
//  * close_trace() writes the VCD (throws its write error); the destructor
//    closes it without reporting.
#pragma once
#include <systemc>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/expanded_key_source.h"
#include "sim/core/fold_engine.h"
#include "sim/core/key_register.h"
#include "sim/core/memory_system.h"
#include "sim/core/ws_array_core.h"
#include "sim/model/boundary_tracer.h"

namespace keymac {

// The VCD window of BoundaryTracer, in device cycles (KmAccel NOW register:
// cycle 0 is the first key bit shifted after the context was created).
struct TraceWindow {
  std::string vcd_path;  // empty: no trace
  uint64_t from = 0, to = 0;
  uint64_t period_ps = 1000;  // one cycle in the final VCD (BoundaryTracer)
  bool trace_key = false;     // keep the key port in the VCD (--trace-key)
};

struct KmAccelConfig {
  bool keyed = true;
  MemoryConfig memory;  // ideal by default
  sc_core::sc_time clock_period = sc_core::sc_time(10, sc_core::SC_NS);
  unsigned queue_depth = 4;
  // Cycle-level timing (`--timing cycle`): every command is stepped cycle by
  // cycle through the Sequencer and the register-level WsArrayCore, with its
  // timing from CycleMemorySystem. false: fold-level (FastArray, planner).
  bool cycle_level = false;
  TraceWindow trace;
  // Completed-command records kept in history() (0: all; else the newest n).
  size_t history_limit = 0;
};

struct KmAccelRecord {
  GemmShape shape;
  sc_core::sc_time start, end;  // SystemC time the command began / completed
  uint64_t cycles = 0, stall_cycles = 0;  // cycles include the expanded key's warm-up
  uint64_t warmup_cycles = 0;             // expanded key mode: the key unit's warm-up
  std::map<std::string, uint64_t> counters;  // names in docs/SYSTEMC.md
};

class KmAccelContext {
 public:
  KmAccelContext(Geometry g, const KmAccelConfig& config, const std::string& owner);
  KmAccelContext(const KmAccelContext&) = delete;
  KmAccelContext& operator=(const KmAccelContext&) = delete;
  Geometry geometry() const { return g_; }
  const KmAccelConfig& config() const { return cfg_; }
  const std::vector<KmAccelRecord>& history() const { return history_; }
  void close_trace() {
    if (tracer_) tracer_->close();
    tracer_.reset();
  }

 private:
  friend class KmAccel;
  Geometry g_;
  KmAccelConfig cfg_;
  // Key: KEY_MODE 0 the R*C key register; 1 the 80-bit master-key register
  // (its loading and sealing rules are the key register's, ARCHITECTURE.md
  // section 11), modelled as a 1 x 80 KeyRegister.
  uint32_t key_mode_reg_ = 0;  // KEY_MODE as written (used from the next reset)
  uint32_t key_mode_ = 0;      // KEY_MODE latched by the last reset
  KeyRegister key_;
  std::unique_ptr<ExpandedKeySource> kx_;  // expanded: built from the register and the nonce
  Trivium::Key80 kx_key_{};
  uint64_t kx_nonce_ = 0;
  MemorySystem memsys_;
  FastArray fast_;
  std::unique_ptr<WsArrayCore> core_;  // cycle_level only
  std::unique_ptr<BoundaryTracer> tracer_;
  uint32_t x_lo_ = 0, x_hi_ = 0, w_lo_ = 0, w_hi_ = 0, y_lo_ = 0, y_hi_ = 0;
  uint32_t m_ = 0, k_ = 0, n_ = 0, layer_ = 0, nonce_lo_ = 0, nonce_hi_ = 0;
  bool error_ = false;
  std::string last_error_;
  uint32_t done_count_ = 0;
  uint64_t cycles_ = 0, stalls_ = 0, last_cycles_ = 0, last_stalls_ = 0, last_warmup_ = 0, key_load_cycles_ = 0;
  uint64_t now_ = 0;      // device cycles since creation: key loads + commands
  uint32_t layers_ = 0;   // commands completed since creation (the trace's layer number)
  std::vector<KmAccelRecord> history_;
};

}  // namespace keymac
