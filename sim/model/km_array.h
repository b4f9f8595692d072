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
//    keymac backends use KmAccel instead (sim/model/km_host_platform.h: one
//    elaboration, any geometry).
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

// A port value <-> its field in ArrayInputs / ArrayOutputs (sim/core/array_ports.h):
// one bit, the row index, or lanes of 8 * sizeof(lane) bits. NoField
// (clk_i, rst_ni) has no value in the structs.
template <int W>
void to_field(const VlPort<W>& v, bool& f) { f = v; }
template <int W>
void to_field(const VlPort<W>& v, uint32_t& f) { f = static_cast<uint32_t>(v); }
template <int W, class T>
void to_field(const VlPort<W>& v, std::vector<T>& f) { unpack_lanes<W>(v, f, int(8 * sizeof(T))); }
template <int W>
VlPort<W> from_field(bool f) { return f; }
template <int W>
VlPort<W> from_field(uint32_t f) { return static_cast<VlPort<W>>(f); }
template <int W, class T>
VlPort<W> from_field(const std::vector<T>& f) { return pack_lanes<W>(f, int(8 * sizeof(T))); }
// For a port of the table whose direction is wanted (On): write_port sets
// `port` (sc_out, sc_signal) from the field get(in, out); read_port sets the
// field from `port`. Nothing for NoField or an unwanted port.
template <bool On, int W, class P, class Get, class In, class Out>
void write_port(P& port, Get get, In&& in, Out&& out) {
  if constexpr (On) {
    const auto& f = get(in, out);
    if constexpr (!std::is_same_v<std::decay_t<decltype(f)>, NoField>) port.write(from_field<W>(f));
  }
}
template <bool On, int W, class P, class Get, class In, class Out>
void read_port(const P& port, Get get, In&& in, Out&& out) {
  if constexpr (On) {
    auto&& f = get(in, out);
    if constexpr (!std::is_same_v<std::decay_t<decltype(f)>, NoField>) to_field<W>(port.read(), f);
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
#define KEYMAC_SC_READ_(n, i, w, f) read_port<i, w>(n, KEYMAC_PORT_GETTER(i, f), in_, NoPorts{});
      KEYMAC_ARRAY_PORTS(KEYMAC_SC_READ_)
#undef KEYMAC_SC_READ_
      core_.step(in_, out_);
    }
    core_.outputs(out_);
#define KEYMAC_SC_WRITE_(n, i, w, f) write_port<!(i), w>(n, KEYMAC_PORT_GETTER(i, f), NoPorts{}, out_);
    KEYMAC_ARRAY_PORTS(KEYMAC_SC_WRITE_)
#undef KEYMAC_SC_WRITE_
  }
  WsArrayCore core_;
  ArrayInputs in_;
  ArrayOutputs out_;
};

}  // namespace keymac
