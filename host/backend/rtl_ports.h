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
// The table's ports (sim/core/array_ports.h) through RtlArray::set_inputs,
// then the expanded key mode's kx_start_i / kx_iv_i, which are not in it.
inline void drive_rtl(rtl::RtlArray& r, const ArrayInputs& in) {
  r.set_inputs(in);
  if (r.geometry().expanded) r.set_key_start(in.kx_start, in.kx_iv);
  else if (in.kx_start) throw std::logic_error("rtl: kx_start_i driven on an array without the expanded key unit");
}

// Reads every output port of the current cycle (out must be resize()d).
inline void read_rtl(const rtl::RtlArray& r, ArrayOutputs& out) { r.get_outputs(out); }

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
