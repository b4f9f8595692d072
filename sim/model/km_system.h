// KmSystem: the SystemC shell of the keyed array with its sequencer and
// memory system, elaborated once per process and reused by every backend.
//
// Contract:
//  * KmSystem::instance() elaborates the one geometry-agnostic module on
//    first use (SystemC allows one elaboration per process) and returns it.
//    All per-array state lives in an ArrayContext (geometry, key register,
//    memory system, fast array, tracer, cycle counter), one per backend
//    instance; any number of contexts may exist and are run one at a time.
//  * load_key() models reset followed by the serial key load (R*C cycles of
//    key_valid), or reset alone for a plain array; run_layer() runs one GEMM
//    with its memory plan. Both advance SystemC time by exactly the modelled
//    number of cycles (cycle_time() each) and return when it has passed.
//  * Fast mode: the C++ core computes a fold at a time and the SystemC thread
//    waits once per fold. Inside the context's trace window the thread
//    instead passes every cycle with the exact boundary values (from
//    Sequencer and FastArray, equal to WsArrayCore's) on the traced variables.
//  * Expanded key mode (ARCHITECTURE.md section 11): load_key() with an
//    expanded KeySource loads its 80 master-key bits through the same port
//    (same sealing rules; key() is then that 80-bit register) and keeps a copy
//    of the source; every layer then starts with the key unit's warm-up
//    (kx_start/kx_iv in its first cycle, warmup_cycles() cycles in all) and
//    its folds use the source's fold planes of `layer_index`.
//  * Exceptions from the core are rethrown to the caller; the kernel stays
//    usable. Not thread-safe (the SystemC kernel is global).
#pragma once
#include <systemc>

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "sim/core/fold_engine.h"
#include "sim/core/key_register.h"
#include "sim/core/memory_system.h"
#include "sim/core/sequencer.h"
#include "sim/core/ws_array_core.h"
#include "sim/model/boundary_tracer.h"

namespace keymac {

struct TraceWindow {
  std::string vcd_path;  // empty: no trace
  uint64_t from = 0, to = 0;
  uint64_t period_ps = 1000;  // one cycle in the VCD (BoundaryTracer)
  bool trace_key = false;  // keep the key port in the VCD (--trace-key)
};

class ArrayContext {
 public:
  // cycle_level: layers run through the register-level WsArrayCore, stepped
  // every cycle by the Sequencer (run_layer_cycle), besides the fast array.
  ArrayContext(Geometry g, const MemoryConfig& mem, const TraceWindow& trace, bool cycle_level = false);
  Geometry geometry() const { return g_; }
  const KeyRegister& key() const { return key_; }
  const MemorySystem& memory() const { return mem_; }
  uint64_t cycle() const { return cycle_; }  // cycles since creation (key loads + layers)
  uint64_t key_load_cycles() const { return key_load_cycles_; }
  const KeySource* expanded_key() const { return expanded_.get(); }
  void close_trace() {  // throws the trace's write error, if any
    if (tracer_) tracer_->close();
    tracer_.reset();
  }
  const BoundaryTracer* tracer() const { return tracer_.get(); }

 private:
  friend class KmSystem;
  Geometry g_;
  KeyRegister key_;
  MemorySystem mem_;
  FastArray fast_;
  std::unique_ptr<BoundaryTracer> tracer_;
  std::unique_ptr<WsArrayCore> core_;  // cycle_level only
  uint64_t cycle_ = 0;
  uint64_t key_load_cycles_ = 0;
  uint32_t layers_ = 0;
  std::unique_ptr<KeySource> expanded_;  // expanded key mode only
};

class KmSystem : public sc_core::sc_module {
 public:
  static KmSystem& instance();
  static sc_core::sc_time cycle_time() { return sc_core::sc_time(10, sc_core::SC_NS); }

  // Reset; then, if key_bits is non-null, R*C cycles of serial key load.
  void load_key(ArrayContext& ctx, const std::vector<uint8_t>* key_bits);
  // Reset and the serial load of key.bits(); an expanded source switches the
  // context to the expanded key mode, a periodic one is load_key(ctx, &bits).
  void load_key_source(ArrayContext& ctx, const KeySource& key);
  // One layer; y (M x N) receives the accumulator's result.
  // layer_index: the GEMM layer of the model (the expanded key's IV).
  void run_layer(ArrayContext& ctx, const GemmProblem& p, const LayerPlan& plan, int32_t* y,
                 int64_t layer_index = 0);
  // The same layer with every cycle stepped on the register-level array
  // (ctx must be cycle_level); SystemC time advances exactly as in run_layer.
  void run_layer_cycle(ArrayContext& ctx, const GemmProblem& p, const LayerPlan& plan, int32_t* y,
                       int64_t layer_index = 0);

 private:
  explicit KmSystem(sc_core::sc_module_name name);
  void thread();
  void execute(std::function<void()> job);
  // Lets cycles [from, to) of ctx pass; per cycle inside the trace window.
  void load_bits(ArrayContext& ctx, const std::vector<uint8_t>* key_bits, bool expanded);
  // The expanded key's warm-up cycles for the layer (0 periodic); sets up seq and the fast array.
  static int64_t key_prefix(ArrayContext& ctx, Sequencer* seq, int64_t layer_index);
  void pass(ArrayContext& ctx, uint64_t from, uint64_t to,
            const std::function<void(uint64_t, ArrayInputs&, ArrayOutputs&, int64_t&)>& values);

  sc_core::sc_event go_;
  std::function<void()> job_;
  std::exception_ptr error_;
  bool done_ = false;
  ArrayInputs in_;
  ArrayOutputs out_;
};

}  // namespace keymac
