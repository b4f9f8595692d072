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
//    Layout for speed (docs/BENCH.md): the PE registers are structure-of-
//    arrays, one row updated by a branch-free loop over the columns that the
//    compiler vectorises; the skew, deskew and weight-write delay lines are
//    rings (O(1) per line per cycle, no shifting); the key sign of each PE
//    and bank is kept as a 0 / 0xff byte mask.
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
  int key_bit(int b, int r, int c) const { return static_cast<int>(kmask_[b & 1][pe(r, c)] & 1u); }
  Geometry geometry() const { return g_; }
  uint64_t cycle() const { return cycle_; }  // edges since reset

 private:
  size_t pe(int r, int c) const { return static_cast<size_t>(r * g_.cols + c); }
  void refresh_periodic_masks();

  Geometry g_;
  KeyRegister key_;
  KeyMode mode_ = KeyMode::kPeriodic;
  KeyExpUnit kx_;                        // expanded mode
  std::vector<uint8_t> ks_;              // scratch: the unit's keystream this cycle
  // PE registers. The activation each PE used (passed right), its bank and
  // valid: row r is a ring of 2C entries at r*2C (each entry written twice,
  // at i and i+C), so columns 0..C-1 are the contiguous window starting at
  // act_pos_, which moves one place left per cycle instead of shifting.
  // Row-major [r*C + c]: the partial sum, the weight banks and the key sign
  // mask per bank (periodic: the key register's bit, both banks; expanded:
  // the key bit stored with the bank's weight).
  size_t act(int r) const { return static_cast<size_t>(r) * 2 * static_cast<size_t>(g_.cols) + act_pos_; }
  std::vector<int8_t> act_a_;
  std::vector<uint8_t> act_b_, act_v_;
  size_t act_pos_ = 0;
  std::vector<uint32_t> psum_;
  std::vector<uint32_t> zero_row_;       // C zeros: the psum input of row 0
  std::vector<int8_t> w_[2];
  std::vector<uint8_t> kmask_[2];        // 0 or 0xff
  // Input skew: a ring of the last R cycles' inputs (a_data [slot*R + r],
  // bank and valid [slot]); row r reads the entry of r cycles ago, i.e. the
  // r registers of its skew line. skew_head_: the latest cycle's slot.
  std::vector<int8_t> skew_a_;
  std::vector<uint8_t> skew_b_, skew_v_;
  size_t skew_head_ = 0;
  // Output deskew: a ring of the last C cycles' bottom-row sums [slot*C + c];
  // column c's output is the entry of C-1-c cycles before the current one.
  std::vector<uint32_t> deskew_;
  size_t deskew_head_ = 0;
  // Weight-write pipeline: a ring of C slots; slot wp_head_ holds this
  // cycle's write, slot (wp_head_ - c) mod C the write of c cycles ago.
  std::vector<uint8_t> wp_valid_, wp_bank_;
  std::vector<uint32_t> wp_row_;
  std::vector<int8_t> wp_data_;          // [slot*C + c]
  std::vector<uint8_t> wp_kbits_;        // [slot*C + c], expanded mode
  size_t wp_head_ = 0;
  uint64_t cycle_ = 0;
};

}  // namespace keymac
