// Per-cycle register activity of the keyed array running one GEMM under the
// ideal-memory schedule (ARCHITECTURE.md sections 7 and 8): the power proxy
// of the `power` side-channel attack, as a function of the key.
//
// Contract: the toggles at cycle t are the bits that change in PE registers
// at the edge ending cycle t: activation register (8 bits; PE (r, c) takes
// the activation presented in cycle t - r - c), both weight banks (8 bits
// each; row r of fold f written in cycle W_f + r lands in PE (r, c) at the
// edge ending W_f + r + c) and the partial-sum register (32 bits, the prefix
// sum down the column). Registers start at 0; a cycle with no activation
// presented is an idle slot of zeros. Over a whole layer the totals equal
// host/energy/activity's act/weight/psum toggle counts. key == nullptr:
// plain array. The key enters only through the psum registers, column c
// through key column c: ToggleModel exposes that split so that an attacker
// can re-evaluate one column at a time. Any key mode (issue 11): column()
// takes R bits (the same in every fold: a periodic key or an attacker's
// candidate) or F*R bits (bits[f*R + r] in fold f: an expanded key), and
// total(KeySource*, layer) traces a layer with the source's per-fold planes.
#pragma once
#include <cstdint>
#include <vector>

#include "host/quant/quant_model.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"
#include "sim/core/schedule.h"

namespace keymac {

class ToggleModel {
 public:
  // x: M x K activations, w: K x N weights as stored (locked). Keeps pointers.
  // max_cycles > 0 truncates the trace to the first max_cycles cycles.
  ToggleModel(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, int64_t max_cycles = 0);
  int64_t cycles() const { return cycles_; }
  // Key-independent part: activation and weight registers, per cycle.
  const std::vector<double>& fixed() const { return fixed_; }
  // Psum-register toggles of column c per cycle for key column `bits`
  // (bits[r] = key bit (r, c), or bits[f*R + r] per fold f; empty: plain array).
  void column(int c, const std::vector<uint8_t>& bits, std::vector<double>& out) const;
  // fixed + all columns.
  std::vector<double> total(const Key* key) const;
  // fixed + all columns with GEMM layer `layer`'s key planes from `key` (nullptr: plain).
  std::vector<double> total(const KeySource* key, int64_t layer) const;

 private:
  const int8_t* x_;
  const int8_t* w_;
  GemmShape s_;
  Geometry g_;
  Schedule sch_;
  int64_t cycles_;
  std::vector<double> fixed_;
};

std::vector<double> simulate_toggles(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g,
                                     const Key* key, int64_t max_cycles = 0);

// The activations of the `gemm_index`-th Gemm/Conv of `model` (0-based) on
// `count` images, as the array sees them (im2col rows for a Conv), computed
// on the functional backend with `key` (nullptr: plain array).
std::vector<int8_t> gemm_inputs(const QuantModel& model, Geometry g, const Key* key, const uint8_t* pixels,
                                int64_t count, size_t gemm_index, GemmShape* shape);
std::vector<int8_t> gemm_inputs(const QuantModel& model, Geometry g, const KeySource* key, const uint8_t* pixels,
                                int64_t count, size_t gemm_index, GemmShape* shape);

}  // namespace keymac
