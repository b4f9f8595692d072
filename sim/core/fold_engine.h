// FastArray: the same array as WsArrayCore, computed a fold at a time (the
// fast mode of the SystemC model).
//
// Contract:
//  * set_key(reg) takes the PEs' key bits from a KeyRegister (as loaded
//    through the key port); a plain array's register is all zeros.
//  * set_key_source(src, layer): the expanded key mode (ARCHITECTURE.md 11.3):
//    fold f of the following run_fold/psum_row calls uses src's
//    fold_plane(layer, f) as the PEs' key bits; sealed as after the master-key
//    load. set_key() returns to a key register. src must outlive its use.
//  * run_fold(p, f, y) applies fold f's column sums to the M x N result y
//    exactly as the accumulator of section 6 does when the Sequencer collects
//    WsArrayCore's outputs: bit-identical, in any plan (stalls only move
//    cycles). Folds must be run in order f = 0 .. F-1.
//  * psum_row(p, f, i, out) is P_f[i][0..C-1], the row of sums that leaves the
//    array R+C-1 cycles after activation i of fold f was presented.
//  * outputs_at(seq, t, out) is the array's output ports in layer cycle t of
//    the sequencer's plan, equal to what WsArrayCore::step() shows in that
//    cycle when driven by seq.inputs() after its key load (tests check this
//    cycle by cycle). Cost: O(R*C) per call, only used in trace windows.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/array_ports.h"
#include "sim/core/key.h"
#include "sim/core/key_register.h"
#include "sim/core/sequencer.h"

namespace keymac {

class FastArray {
 public:
  explicit FastArray(Geometry g);
  void set_key(const KeyRegister& reg);
  void set_key_source(const KeySource* src, int64_t layer);
  void run_fold(const GemmProblem& p, int64_t f, int32_t* y);
  void psum_row(const GemmProblem& p, int64_t f, int64_t i, int32_t* out);
  void outputs_at(const Sequencer& seq, int64_t t, ArrayOutputs& out);
  Geometry geometry() const { return g_; }

 private:
  // Signed weights of fold f as the PEs apply them, R x C int16 (0 padded).
  void load_fold(const GemmProblem& p, int64_t f);
  Geometry g_;
  std::vector<uint8_t> key_;
  const KeySource* src_ = nullptr;  // expanded mode
  int64_t layer_ = 0;
  bool sealed_ = false, err_ = false;
  std::vector<int16_t> ws_;
  int64_t ws_fold_ = -1;
  const int8_t* ws_w_ = nullptr;
  int64_t ws_k_ = 0, ws_n_ = 0;
};

}  // namespace keymac
