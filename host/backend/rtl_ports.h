// Glue between the plain-C++ port structs (sim/core/array_ports.h) and a
// verilated km_array (rtl/tb/rtl_array.h), shared by the RTL backend and the
// co-simulation, so both drive and read the RTL the same way.
#pragma once
#include <stdexcept>
#include <string>

#include "rtl_array.h"
#include "rtl_models.h"
#include "sim/core/array_ports.h"

namespace keymac {

// Sets every input port of the current cycle from `in`.
inline void drive_rtl(rtl::RtlArray& r, const ArrayInputs& in) {
  r.set_key(in.key_valid, in.key_bit);
  r.set_weights(in.w_valid, in.w_row, in.w_bank, in.w_data);
  r.set_activations(in.a_valid, in.a_bank, in.a_data);
  if (r.geometry().expanded) r.set_key_start(in.kx_start, in.kx_iv);
  else if (in.kx_start) throw std::logic_error("rtl: kx_start_i driven on an array without the expanded key unit");
}

// Reads every output port of the current cycle (out must be resize()d).
inline void read_rtl(const rtl::RtlArray& r, ArrayOutputs& out) {
  out.key_sealed = r.key_sealed();
  out.key_err = r.key_err();
  out.psum_valid = r.psum_valid();
  for (size_t c = 0; c < out.psum_data.size(); ++c) out.psum_data[c] = r.psum(static_cast<int>(c));
}

// "1x1, 2x3, 4x4 (plain), ..." — the verilated geometries, for error messages.
inline std::string rtl_geometry_list(bool keyed_only) {
  std::string list;
  for (const auto& g : rtl::rtl_geometries())
    if (g.keyed || !keyed_only)
      list += (list.empty() ? "" : ", ") + std::to_string(g.rows) + "x" + std::to_string(g.cols) +
              (g.expanded ? " (expanded key)" : g.keyed ? "" : " (plain)");
  return list;
}

}  // namespace keymac
