// Register-level, single-step model of the keyed weight-stationary array
// (ARCHITECTURE.md sections 3, 5 and 7): every register of section 7 exists
// here (input skew lines, per-PE activation/bank/valid/psum registers, the two
// weight banks with their column-skewed write pipeline, the output deskew
// lines and the key register).
//
// Contract:
//  * reset() is rst_ni = 0 for one edge: every register 0, key unsealed.
//  * step(in, out) is one cycle: out receives the output ports during the
//    cycle (functions of the registers only), then the rising edge that ends
//    the cycle updates the registers from `in`. Feeding the same inputs as the
//    verilated km_array gets gives the same outputs in every cycle.
//  * KeyMode::kExpanded (ARCHITECTURE.md section 11.4, km_array KeyMode = 1):
//    no key register; the key port loads the 80-bit master key of a
//    KeyExpUnit (Par = C) restarted by kx_start/kx_iv; every weight-row write
//    takes the unit's C keystream bits along the weight's column skew into a
//    key bit beside the weight register of the same bank, and the PE's sign
//    uses the key bit of the activation's bank. key_sealed/key_err come from
//    the unit.
//  * Cost is O(R*C) per cycle: this is the co-simulation / reference mode.
//    FastArray (fold_engine.h) gives the same boundary values a fold at a time.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/array_ports.h"
#include "sim/core/key.h"
#include "sim/core/key_exp_unit.h"
#include "sim/core/key_register.h"

namespace keymac {

class WsArrayCore {
 public:
  WsArrayCore(Geometry g, bool keyed);
  // keyed with the given key mode (kPeriodic: the same as WsArrayCore(g, true)).
  WsArrayCore(Geometry g, KeyMode mode);
  void reset();
  void outputs(ArrayOutputs& out) const;
  void step(const ArrayInputs& in, ArrayOutputs& out);
  const KeyRegister& key() const { return key_; }
  KeyMode key_mode() const { return mode_; }
  // Expanded mode: the key bit beside bank b's weight register of PE (r, c).
  int key_bit(int b, int r, int c) const { return kb_[b & 1][pe(r, c)]; }
  Geometry geometry() const { return g_; }
  uint64_t cycle() const { return cycle_; }  // edges since reset

 private:
  struct Act {
    int8_t a;
    bool bank, valid;
  };
  struct WWrite {
    bool valid, bank;
    uint32_t row;
    std::vector<int8_t> data;
    std::vector<uint8_t> kbits;  // expanded mode: the row's C key bits
  };
  size_t pe(int r, int c) const { return static_cast<size_t>(r * g_.cols + c); }

  Geometry g_;
  KeyRegister key_;
  KeyMode mode_ = KeyMode::kPeriodic;
  KeyExpUnit kx_;                        // expanded mode
  std::vector<uint8_t> kb_[2];           // expanded mode: key bit per bank, per PE
  std::vector<uint8_t> ks_;              // scratch: the unit's keystream this cycle
  std::vector<std::vector<Act>> skew_;   // row r: r registers, [r-1] is the oldest
  std::vector<Act> act_q_;               // per PE: activation it used, passed right
  std::vector<uint32_t> psum_q_;         // per PE
  std::vector<int8_t> w_[2];             // banks, per PE
  std::vector<WWrite> wpipe_;            // [d] = weight write of d cycles ago, d = 1..C-1
  std::vector<std::vector<uint32_t>> deskew_;  // column c: C-1-c registers, [L-1] oldest
  std::vector<std::vector<bool>> deskew_v_;
  uint64_t cycle_ = 0;
};

}  // namespace keymac
