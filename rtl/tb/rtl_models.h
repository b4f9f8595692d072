// Registry of the verilated km_array geometries built into this binary
// (cmake/rtl.cmake: keymac_verilate_array / keymac_rtl_registry).
#pragma once

#include <memory>
#include <vector>

#include "rtl_array.h"

namespace keymac::rtl {

// Every (rows, cols, keyed) that make_rtl_array() can build (traceable models;
// the untraced copies are not listed).
std::vector<RtlGeometry> rtl_geometries();

// A fresh model of that geometry, or nullptr if none was verilated.
std::unique_ptr<RtlArray> make_rtl_array(int rows, int cols, bool keyed);
// The same with the key mode: expanded = KeyMode 1 (keyed only).
std::unique_ptr<RtlArray> make_rtl_array(int rows, int cols, bool keyed, bool expanded);
// For a run that writes no trace: the model verilated without --trace and
// with the PE grid in its simulation form (km_array SimGrid = 1) if one was
// built for that geometry (cmake/rtl.cmake NOTRACE SIMGRID: about twice the
// cycles per second at 16x16; its trace_open() throws, traceable() is
// false), else the same as make_rtl_array(). Same ports, same outputs in
// every cycle (tests/rtl: Untraced, GridForms).
std::unique_ptr<RtlArray> make_rtl_array_untraced(int rows, int cols, bool keyed, bool expanded = false);

}  // namespace keymac::rtl
