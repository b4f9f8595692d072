// The sequencer: turns one GEMM layer and its timing plan into the values on
// the array's input ports every cycle, and the array's output ports back
// into the layer result (ARCHITECTURE.md sections 5-8). Plain C++, no
// SystemC: the SystemC model, the RTL co-simulation testbench and the unit
// tests all drive their array with this class.
//
// Contract:
//  * Layer cycles are numbered from 0 (section 8; cycle 0 is W_0 with ideal
//    memory) to cycles()-1, the cycle in which the last row of sums is on
//    psum_data_o. The key-load phase is separate (key_inputs()) and comes
//    before a reset's first layer; it is not part of any layer's cycles.
//  * inputs(t, in) writes the inputs of layer cycle t (random access, any
//    order, O(log F) per call). Weight row r of fold f is written in cycle
//    plan.folds[f].w_start + r with w_bank = f mod 2 (all R rows, rows beyond
//    K as zeros); activation row i of fold f is presented with a_bank = f mod 2
//    in the cycle its ActSegment gives. Weights are sent as stored in the
//    problem (locked or not): the key signs are applied inside the PEs.
//    Everything not written/presented is 0 (ArrayInputs::idle()).
//  * collect(t, out) consumes the outputs of layer cycle t. A valid row of
//    sums in cycle t belongs to the activation presented in t - (R + C - 1);
//    it is added into Y per section 6 (the first K-tile of an N-tile
//    overwrites). A valid row where no activation can have produced one
//    throws keymac::Error. After all cycles were collected, y() is the
//    M x N result.
//  * Expanded key mode (ARCHITECTURE.md 11.5): after set_key_warmup(W, iv)
//    the layer starts with the key unit's warm-up: cycle 0 carries
//    kx_start = 1 and kx_iv = iv, cycles 0..W-1 nothing else, and every cycle
//    of the plan above moves W cycles later (cycles() = plan cycles + W).
//    activation_at / weight_row_at / inputs / collect all take these shifted
//    layer cycles. Without it (periodic or plain), W = 0 and nothing changes.
//  * The plan must come from MemorySystem::plan() for the same shape and
//    geometry (checked), and outlive the Sequencer (it is held by pointer).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/array_ports.h"
#include "sim/core/key.h"
#include "sim/core/memory_system.h"

namespace keymac {

// One layer's operands, as the array sees them.
struct GemmProblem {
  GemmShape shape;
  const int8_t* x = nullptr;  // M x K, row-major
  const int8_t* w = nullptr;  // K x N, row-major
  Geometry geometry;
};

class Sequencer {
 public:
  Sequencer(const GemmProblem& problem, const LayerPlan& plan);

  int64_t cycles() const { return plan_->cycles + warmup_; }
  void set_key_warmup(int64_t warmup_cycles, const std::array<uint8_t, 10>& iv);
  int64_t key_warmup() const { return warmup_; }
  const GemmProblem& problem() const { return p_; }
  const LayerPlan& plan() const { return *plan_; }

  void inputs(int64_t t, ArrayInputs& in) const;
  void collect(int64_t t, const ArrayOutputs& out);
  const std::vector<int32_t>& y() const { return y_; }
  std::vector<int32_t>& y() { return y_; }

  // The activation presented in cycle t, if any: fold f and row i.
  bool activation_at(int64_t t, int64_t& f, int64_t& i) const;
  // The weight row written in cycle t, if any: fold f and row r.
  bool weight_row_at(int64_t t, int64_t& f, int64_t& r) const;

  // Key-load phase: the inputs of key-load cycle j (0 <= j < R*C): key_valid=1
  // and bit j of the key in port order; everything else 0.
  static void key_inputs(const std::vector<uint8_t>& key_bits, int64_t j, ArrayInputs& in);

 private:
  struct Seg {
    int64_t start, fold, row0, rows;
  };
  GemmProblem p_;
  const LayerPlan* plan_;
  int64_t kt_count_;
  std::vector<Seg> segs_;  // all activation segments, by start cycle
  // Lookup hints (cycles are mostly asked in order): the segment / fold of
  // the last answer; checked before the binary search (so even the const
  // lookups of one Sequencer must not run on two threads at once).
  mutable size_t seg_hint_ = 0, fold_hint_ = 0;
  std::vector<int32_t> y_;
  int64_t warmup_ = 0;
  std::array<uint8_t, 10> iv_{};
};

}  // namespace keymac
