// KmArray<Rows, Cols>: a SystemC module with exactly the ports of the
// verilated km_array (ARCHITECTURE.md section 7) around the register-level
// WsArrayCore, for co-simulation testbenches that bind either model.
//
// Contract:
//  * Port names and C++ types are those Verilator 5 --sc generates for the
//    widths of section 7: 1 bit bool, 2..32 bits uint32_t, 33..64 uint64_t,
//    wider sc_bv<N> (VlPort<N>). Lane c of w_data_i / psum_data_o and lane r
//    of a_data_i are packed as section 7 says (lane 0 in the low bits).
//  * One SC_METHOD sensitive to clk_i's rising edge: with rst_ni = 0 it
//    resets the core (synchronous reset), otherwise it clocks the core once
//    with the inputs sampled at the edge; outputs then show the registers.
//  * Geometry is a template parameter (like the verilated model's). The
//    keymac backends use KmSystem instead (one elaboration, any geometry).
#pragma once
#include <systemc>

#include <cstdint>
#include <type_traits>

#include "params/keymac_params.h"
#include "sim/core/ws_array_core.h"

namespace keymac {

template <int W>
using VlPort = std::conditional_t<
    W == 1, bool,
    std::conditional_t<W <= 32, uint32_t, std::conditional_t<W <= 64, uint64_t, sc_dt::sc_bv<W>>>>;

// Pack / unpack lanes of `bits` bits into a port value.
template <int W, typename Lane>
VlPort<W> pack_lanes(const std::vector<Lane>& v, int bits) {
  if constexpr (W <= 64) {
    uint64_t x = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      const uint64_t mask = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
      x |= (static_cast<uint64_t>(static_cast<std::make_unsigned_t<Lane>>(v[i])) & mask) << (i * bits);
    }
    return static_cast<VlPort<W>>(x);
  } else {
    sc_dt::sc_bv<W> x;
    for (size_t i = 0; i < v.size(); ++i)
      x.range(int(i) * bits + bits - 1, int(i) * bits) =
          static_cast<uint64_t>(static_cast<std::make_unsigned_t<Lane>>(v[i]));
    return x;
  }
}

template <int W, typename Lane>
void unpack_lanes(const VlPort<W>& p, std::vector<Lane>& v, int bits) {
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t lane;
    if constexpr (W <= 64) {
      lane = (static_cast<uint64_t>(p) >> (i * bits)) & ((bits >= 64) ? ~0ull : ((1ull << bits) - 1));
    } else {
      lane = p.range(int(i) * bits + bits - 1, int(i) * bits).to_uint64();
    }
    v[i] = static_cast<Lane>(static_cast<std::make_unsigned_t<Lane>>(lane));
  }
}

template <int Rows, int Cols, bool Keyed = true>
class KmArray : public sc_core::sc_module {
 public:
  static constexpr int R = Rows, C = Cols;  // named as KEYMAC_ARRAY_PORTS expects
  static constexpr int kRowBits = params::index_width(Rows);
  static constexpr int kWBits = params::kWeightBits, kABits = params::kActBits, kPBits = params::kPsumBits;
  // The ports of sim/core/array_ports.h, with Verilator's --sc types.
#define KEYMAC_SC_PORT_(n, i, w, f) \
  std::conditional_t<i, sc_core::sc_in<VlPort<w>>, sc_core::sc_out<VlPort<w>>> n{#n};
  KEYMAC_ARRAY_PORTS(KEYMAC_SC_PORT_)
#undef KEYMAC_SC_PORT_

  SC_HAS_PROCESS(KmArray);
  explicit KmArray(sc_core::sc_module_name name)
      : sc_core::sc_module(name), core_(Geometry::make(Rows, Cols), Keyed) {
    in_.resize(core_.geometry());
    out_.resize(core_.geometry());
    SC_METHOD(on_clock);
    sensitive << clk_i.pos();
    dont_initialize();
  }
  const WsArrayCore& core() const { return core_; }

 private:
  void on_clock() {
    if (!rst_ni.read()) {
      core_.reset();
    } else {
      in_.key_valid = key_valid_i.read();
      in_.key_bit = key_bit_i.read();
      in_.w_valid = w_valid_i.read();
      in_.w_row = static_cast<uint32_t>(w_row_i.read());
      in_.w_bank = w_bank_i.read();
      unpack_lanes<kWBits * Cols>(w_data_i.read(), in_.w_data, kWBits);
      in_.a_valid = a_valid_i.read();
      in_.a_bank = a_bank_i.read();
      unpack_lanes<kABits * Rows>(a_data_i.read(), in_.a_data, kABits);
      core_.step(in_, out_);
    }
    core_.outputs(out_);
    key_sealed_o.write(out_.key_sealed);
    key_err_o.write(out_.key_err);
    psum_valid_o.write(out_.psum_valid);
    psum_data_o.write(pack_lanes<kPBits * Cols>(out_.psum_data, kPBits));
  }
  WsArrayCore core_;
  ArrayInputs in_;
  ArrayOutputs out_;
};

}  // namespace keymac
