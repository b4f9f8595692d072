// The per-cycle values at the boundary of the keyed R x C array
// (ARCHITECTURE.md section 7), in plain C++ so that the SystemC model, the
// verilated RTL (km_array) and co-simulation testbenches share them.
//
// Contract:
//  * One ArrayInputs is what the array's input ports carry during one cycle
//    t (the interval before rising edge t+1); one ArrayOutputs is what its
//    output ports show during that same cycle. All outputs of section 7 are
//    registered, so ArrayOutputs of cycle t never depend on ArrayInputs of
//    cycle t.
//  * Field names are the RTL port names without the _i / _o suffix.
//    w_data[c] is bits [8c+7:8c] of w_data_i, a_data[r] bits [8r+7:8r] of
//    a_data_i, psum_data[c] bits [32c+31:32c] of psum_data_o.
//  * Vectors are sized by resize(g): w_data and psum_data have C entries,
//    a_data has R entries. Fields that are not valid hold 0 (idle() sets
//    everything to 0), so two ArrayInputs / ArrayOutputs compare equal with
//    == exactly when the ports carry the same bits.
//  * clk_i and rst_ni are not fields: a step is one clock cycle, and reset is
//    a separate call on the model (WsArrayCore::reset()).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "params/keymac_params.h"
#include "sim/core/geometry.h"

namespace keymac {

// The lanes below are int8 / int8 / int32: the shared data widths
// (params/keymac_params.json) must say so, or this model no longer matches.
static_assert(params::kWeightBits == 8 && params::kActBits == 8 && params::kPsumBits == 32,
              "array_ports.h: lane types assume 8-bit weights and activations, 32-bit sums");

// The ports of km_array, declared once, in the RTL's order:
//   X(name, is_input, width in bits for an R x C array)
// The width expressions use `R` and `C`, which must name the geometry where
// the list is expanded. KmArray's SystemC ports, the trace layout
// (traces/array_tracer.cc) and array_ports() iterate this list;
// tests/sim/km_array_ports_test.cc checks it against rtl/km_array.sv.
#define KEYMAC_ARRAY_PORTS(X)                                  \
  X(clk_i, true, 1)                                            \
  X(rst_ni, true, 1)                                           \
  X(key_valid_i, true, 1)                                      \
  X(key_bit_i, true, 1)                                        \
  X(key_sealed_o, false, 1)                                    \
  X(key_err_o, false, 1)                                       \
  X(w_valid_i, true, 1)                                        \
  X(w_row_i, true, ::keymac::params::index_width(R))           \
  X(w_bank_i, true, 1)                                         \
  X(w_data_i, true, ::keymac::params::kWeightBits * (C))       \
  X(a_valid_i, true, 1)                                        \
  X(a_bank_i, true, 1)                                         \
  X(a_data_i, true, ::keymac::params::kActBits * (R))          \
  X(psum_valid_o, false, 1)                                    \
  X(psum_data_o, false, ::keymac::params::kPsumBits * (C))

struct PortDesc {
  const char* name;
  bool input;
  int width;
};
#define KEYMAC_PORT_COUNT_(n, i, w) +1
constexpr size_t kArrayPortCount = 0 KEYMAC_ARRAY_PORTS(KEYMAC_PORT_COUNT_);
#undef KEYMAC_PORT_COUNT_
// The port table of an R x C array.
constexpr std::array<PortDesc, kArrayPortCount> array_ports(int R, int C) {
#define KEYMAC_PORT_DESC_(n, i, w) PortDesc{#n, i, w},
  return {{KEYMAC_ARRAY_PORTS(KEYMAC_PORT_DESC_)}};
#undef KEYMAC_PORT_DESC_
}

struct ArrayInputs {
  bool key_valid = false;
  bool key_bit = false;
  bool w_valid = false;
  uint32_t w_row = 0;
  bool w_bank = false;
  std::vector<int8_t> w_data;  // C entries
  bool a_valid = false;
  bool a_bank = false;
  std::vector<int8_t> a_data;  // R entries
  // Expanded key mode only (km_array with KeyMode = 1, ARCHITECTURE.md 11.5):
  // kx_start_i restarts the key unit with the layer's IV kx_iv_i (bit i =
  // bit i%8 of byte i/8). Always 0 for a periodic or plain array.
  bool kx_start = false;
  std::array<uint8_t, 10> kx_iv{};

  void resize(Geometry g) {
    w_data.assign(static_cast<size_t>(g.cols), 0);
    a_data.assign(static_cast<size_t>(g.rows), 0);
  }
  // All ports 0 (vectors keep their size).
  void idle() {
    key_valid = key_bit = w_valid = w_bank = a_valid = a_bank = kx_start = false;
    w_row = 0;
    kx_iv.fill(0);
    for (auto& v : w_data) v = 0;
    for (auto& v : a_data) v = 0;
  }
  bool operator==(const ArrayInputs& o) const {
    return key_valid == o.key_valid && key_bit == o.key_bit && w_valid == o.w_valid &&
           w_row == o.w_row && w_bank == o.w_bank && w_data == o.w_data &&
           a_valid == o.a_valid && a_bank == o.a_bank && a_data == o.a_data &&
           kx_start == o.kx_start && kx_iv == o.kx_iv;
  }
  bool operator!=(const ArrayInputs& o) const { return !(*this == o); }
};

struct ArrayOutputs {
  bool key_sealed = false;
  bool key_err = false;
  bool psum_valid = false;
  std::vector<int32_t> psum_data;  // C entries; all 0 when psum_valid == 0

  void resize(Geometry g) { psum_data.assign(static_cast<size_t>(g.cols), 0); }
  bool operator==(const ArrayOutputs& o) const {
    return key_sealed == o.key_sealed && key_err == o.key_err && psum_valid == o.psum_valid &&
           psum_data == o.psum_data;
  }
  bool operator!=(const ArrayOutputs& o) const { return !(*this == o); }
};

}  // namespace keymac
