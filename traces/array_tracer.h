// ArrayTracer: runs layers through the single-step cycle core (the Sequencer
// driving a WsArrayCore, ARCHITECTURE.md sections 5-8) and feeds the array
// boundary of every cycle -- the km_array ports of section 7 -- to trace sinks.
//
// Contract:
//  * Signals (scope "km_array", RTL port names): rst_ni, key_valid_i, key_bit_i,
//    key_sealed_o, key_err_o, w_valid_i, w_row_i[max(1,ceil(log2 R))-1:0],
//    w_bank_i, w_data_i[8C-1:0], a_valid_i, a_bank_i, a_data_i[8R-1:0],
//    psum_valid_o, psum_data_o[32C-1:0]; the sinks add clk_i (TraceTiming).
//  * Cycle numbering: cycle 0 is the first cycle after reset. load_key()
//    takes R*C cycles (section 5); each run_layer() then takes the layer's
//    plan.cycles cycles, back to back, so a trace window is in these global
//    cycles. The constructor's `last_cycle` is the caller's promise of the last
//    cycle it will run (for the sinks' size estimate; begin() may throw).
//  * run_layer() returns the layer result Y (M x N), bit-identical to keyed_gemm.
//  * boundary_frame() packs one cycle's ports the same way, for other sources.
//  * scrub_key(true): key_bit_i reaches the sinks as a constant 0, so no trace
//    holds the key (the CLI's default; --trace-key keeps it).
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/core_device.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/sequencer.h"
#include "traces/trace_sink.h"

namespace keymac::traces {

TraceLayout boundary_layout(Geometry g);
// Packs ports into frame (frame_words() of boundary_layout(g), zeroed here).
void boundary_frame(const TraceLayout& layout, const ArrayInputs& in, const ArrayOutputs& out,
                    std::vector<uint64_t>& frame);

class ArrayTracer {
 public:
  ArrayTracer(Geometry g, bool keyed, std::vector<TraceSink*> sinks, const TraceTiming& timing,
              uint64_t last_cycle);
  ~ArrayTracer();
  ArrayTracer(const ArrayTracer&) = delete;
  ArrayTracer& operator=(const ArrayTracer&) = delete;
  void load_key(const std::vector<uint8_t>& bits);
  std::vector<int32_t> run_layer(const GemmProblem& problem, const LayerPlan& plan);
  void finish();
  uint64_t cycle() const { return driver_.cycle(); }
  void scrub_key(bool on) { scrub_key_ = on; }

 private:
  Geometry g_;
  WsArrayCore core_;
  CoreDevice device_;
  CycleDriver driver_;  // its observer feeds the sinks
  std::vector<TraceSink*> sinks_;
  TraceLayout layout_;
  std::vector<uint64_t> frame_;
  bool scrub_key_ = false;
};

}  // namespace keymac::traces
