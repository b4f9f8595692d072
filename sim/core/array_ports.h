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
//  * The port list is KEYMAC_ARRAY_PORTS below, the only place it is written;
//    code that handles every port iterates it (the macro, for_each_port_field
//    or for_each_port), resize / idle / == included, so adding a port is one
//    line there, its member in the struct, and the RTL.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "params/keymac_params.h"
#include "sim/core/geometry.h"

namespace keymac {

// The lanes below are int8 / int8 / int32: the shared data widths
// (params/keymac_params.json) must say so, or this model no longer matches.
static_assert(params::kWeightBits == 8 && params::kActBits == 8 && params::kPsumBits == 32,
              "array_ports.h: lane types assume 8-bit weights and activations, 32-bit sums");

// The ports of km_array, declared once, in the RTL's order:
//   X(name, is_input, width in bits for an R x C array, field)
// The width expressions use `R` and `C`, which must name the geometry where
// the list is expanded. `field` is the member of ArrayInputs (input ports) or
// ArrayOutputs (output ports) that carries the port's value; clk_i and rst_ni
// have none (`none`, a NoField: the clock is a step, reset a separate call).
// Everything that handles the ports iterates this list (for_each_port below
// or the macro itself): KmArray's SystemC ports, the trace layout
// (traces/array_tracer.cc), the SystemC boundary VCD
// (sim/model/boundary_tracer.cc), the verilated glue (rtl/tb/rtl_array_impl.h)
// and the lock-step comparison (host/cosim/lockstep.cc).
// tests/sim/km_array_ports_test.cc checks it against rtl/km_array.sv.
// The expanded key mode's kx_start_i / kx_iv_i (km_array with KeyMode = 1
// only) are not in the list: they are not section 7's ports.
#define KEYMAC_ARRAY_PORTS(X)                                             \
  X(clk_i, true, 1, none)                                                 \
  X(rst_ni, true, 1, none)                                                \
  X(key_valid_i, true, 1, key_valid)                                      \
  X(key_bit_i, true, 1, key_bit)                                          \
  X(key_sealed_o, false, 1, key_sealed)                                   \
  X(key_err_o, false, 1, key_err)                                         \
  X(w_valid_i, true, 1, w_valid)                                          \
  X(w_row_i, true, ::keymac::params::index_width(R), w_row)               \
  X(w_bank_i, true, 1, w_bank)                                            \
  X(w_data_i, true, ::keymac::params::kWeightBits * (C), w_data)          \
  X(a_valid_i, true, 1, a_valid)                                          \
  X(a_bank_i, true, 1, a_bank)                                            \
  X(a_data_i, true, ::keymac::params::kActBits * (R), a_data)             \
  X(psum_valid_o, false, 1, psum_valid)                                   \
  X(psum_data_o, false, ::keymac::params::kPsumBits * (C), psum_data)

struct PortDesc {
  const char* name;
  bool input;
  int width;
};
// Port indices in table order: Port::clk_i == 0, ...
#define KEYMAC_PORT_ENUM_(n, i, w, f) n,
enum class Port : int { KEYMAC_ARRAY_PORTS(KEYMAC_PORT_ENUM_) };
#undef KEYMAC_PORT_ENUM_
#define KEYMAC_PORT_COUNT_(n, i, w, f) +1
constexpr size_t kArrayPortCount = 0 KEYMAC_ARRAY_PORTS(KEYMAC_PORT_COUNT_);
#undef KEYMAC_PORT_COUNT_
// The port table of an R x C array.
constexpr std::array<PortDesc, kArrayPortCount> array_ports(int R, int C) {
#define KEYMAC_PORT_DESC_(n, i, w, f) PortDesc{#n, i, w},
  return {{KEYMAC_ARRAY_PORTS(KEYMAC_PORT_DESC_)}};
#undef KEYMAC_PORT_DESC_
}

// The `field` of clk_i and rst_ni: no value in the port structs.
struct NoField {};

// A field seen as lanes: a vector of T is size() lanes of 8*sizeof(T) bits
// (lane l = bits [l*b+b-1 : l*b] of the port, as w_data / a_data / psum_data
// above); a bool or the row index is one lane as wide as the port; NoField
// has no lanes. lane() is the lane's bits, value() its value as a number
// (signed for signed lanes), set_lane() stores bits into a lane.
namespace port_lanes {
// Is the field a vector of lanes (w_data, a_data, psum_data)?
template <class T>
constexpr bool is_vector = false;
template <class T>
constexpr bool is_vector<std::vector<T>> = true;
inline size_t count(NoField) { return 0; }
inline size_t count(bool) { return 1; }
inline size_t count(uint32_t) { return 1; }
template <class T>
size_t count(const std::vector<T>& v) { return v.size(); }
// Bits per lane of a field of a `width`-bit port.
inline int bits(NoField, int) { return 0; }
inline int bits(bool, int width) { return width; }
inline int bits(uint32_t, int width) { return width; }
template <class T>
int bits(const std::vector<T>&, int) { return static_cast<int>(8 * sizeof(T)); }
inline uint64_t lane(NoField, size_t) { return 0; }
inline uint64_t lane(bool v, size_t) { return v; }
inline uint64_t lane(uint32_t v, size_t) { return v; }
template <class T>
uint64_t lane(const std::vector<T>& v, size_t l) { return static_cast<std::make_unsigned_t<T>>(v[l]); }
inline int64_t value(NoField, size_t) { return 0; }
inline int64_t value(bool v, size_t) { return v; }
inline int64_t value(uint32_t v, size_t) { return v; }
template <class T>
int64_t value(const std::vector<T>& v, size_t l) { return v[l]; }
inline void set_lane(bool& f, size_t, uint64_t v) { f = (v & 1) != 0; }
inline void set_lane(uint32_t& f, size_t, uint64_t v) { f = static_cast<uint32_t>(v); }
template <class T>
void set_lane(std::vector<T>& f, size_t l, uint64_t v) {
  f[l] = static_cast<T>(static_cast<std::make_unsigned_t<T>>(v));
}
}  // namespace port_lanes

// Stand-in for a port struct a visit does not have (for_each_port's `in` or
// `out`): the ports it would carry are skipped.
struct NoPorts {};

// Inside an expansion of KEYMAC_ARRAY_PORTS: the port's field as a generic
// lambda get(in, out) -> the member `fld` of `in` (input port, i = true) or
// `out` (output port); the other argument is not used (pass NoPorts{}).
#define KEYMAC_PORT_GETTER(i, fld)                           \
  [](auto&& in_, auto&& out_) -> decltype(auto) {            \
    (void)in_;                                               \
    (void)out_;                                              \
    if constexpr (i) return (in_.fld); else return (out_.fld); \
  }

// Every port of an R x C array whose direction is wanted (Inputs / Outputs),
// in table order: f(const PortDesc& port, Port id, get), where get(in, out)
// is the port's field: a member of `in` (an ArrayInputs) for an input port,
// of `out` (an ArrayOutputs) for an output port; the other argument is not
// used (pass NoPorts{}). NoField for clk_i / rst_ni.
template <bool Inputs, bool Outputs, class F>
void for_each_port_field(int R, int C, F&& f) {
  (void)R;
  (void)C;
#define KEYMAC_PORT_FIELD_(n, i, w, fld) \
  if constexpr ((i) ? Inputs : Outputs) f(PortDesc{#n, i, w}, Port::n, KEYMAC_PORT_GETTER(i, fld));
  KEYMAC_ARRAY_PORTS(KEYMAC_PORT_FIELD_)
#undef KEYMAC_PORT_FIELD_
}

// Every port with its value: f(const PortDesc& port, Port id, auto& field),
// `field` the port's member of `in` or `out`; a side given as NoPorts{} is
// skipped.
template <class In, class Out, class F>
void for_each_port(int R, int C, In&& in, Out&& out, F&& f) {
  constexpr bool kIn = !std::is_same_v<std::decay_t<In>, NoPorts>;
  constexpr bool kOut = !std::is_same_v<std::decay_t<Out>, NoPorts>;
  for_each_port_field<kIn, kOut>(R, C, [&](const PortDesc& d, Port id, auto get) { f(d, id, get(in, out)); });
}

// resize / idle / == of the port structs, over the table (not kx_*).
namespace port_structs {
inline void clear_field(NoField) {}
inline void clear_field(bool& f) { f = false; }
inline void clear_field(uint32_t& f) { f = 0; }
template <class T>
void clear_field(std::vector<T>& f) { std::fill(f.begin(), f.end(), T{0}); }
inline void size_field(NoField, int) {}
template <class T>
void size_field(T& f, int) { clear_field(f); }
template <class T>
void size_field(std::vector<T>& f, int width) { f.assign(static_cast<size_t>(width) / (8 * sizeof(T)), T{0}); }
template <class In, class Out>
void resize(Geometry g, In&& in, Out&& out) {
  for_each_port(g.rows, g.cols, in, out, [](const PortDesc& d, Port, auto& f) { size_field(f, d.width); });
}
template <class In, class Out>
void clear(In&& in, Out&& out) {
  for_each_port(0, 0, in, out, [](const PortDesc&, Port, auto& f) { clear_field(f); });
}
template <class InA, class InB, class OutA, class OutB>
bool equal(const InA& ia, const InB& ib, const OutA& oa, const OutB& ob) {
  constexpr bool kIn = !std::is_same_v<InA, NoPorts>, kOut = !std::is_same_v<OutA, NoPorts>;
  bool eq = true;
  for_each_port_field<kIn, kOut>(0, 0, [&](const PortDesc&, Port, auto get) {
    const auto& a = get(ia, oa);
    if constexpr (!std::is_same_v<std::decay_t<decltype(a)>, NoField>) eq = eq && a == get(ib, ob);
  });
  return eq;
}
}  // namespace port_structs

struct ArrayInputs {
  static constexpr NoField none{};  // the field of clk_i and rst_ni (KEYMAC_ARRAY_PORTS)
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

  // Vectors sized for g (lanes = port width / lane bits), all ports 0.
  void resize(Geometry g) { port_structs::resize(g, *this, NoPorts{}); }
  // All ports 0 (vectors keep their size).
  void idle() {
    port_structs::clear(*this, NoPorts{});
    kx_start = false;
    kx_iv.fill(0);
  }
  bool operator==(const ArrayInputs& o) const {
    return port_structs::equal(*this, o, NoPorts{}, NoPorts{}) && kx_start == o.kx_start && kx_iv == o.kx_iv;
  }
  bool operator!=(const ArrayInputs& o) const { return !(*this == o); }
};

struct ArrayOutputs {
  bool key_sealed = false;
  bool key_err = false;
  bool psum_valid = false;
  std::vector<int32_t> psum_data;  // C entries; all 0 when psum_valid == 0

  void resize(Geometry g) { port_structs::resize(g, NoPorts{}, *this); }
  bool operator==(const ArrayOutputs& o) const { return port_structs::equal(NoPorts{}, NoPorts{}, *this, o); }
  bool operator!=(const ArrayOutputs& o) const { return !(*this == o); }
};

}  // namespace keymac
