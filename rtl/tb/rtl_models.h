// Registry of the verilated km_array geometries built into this binary
// (cmake/rtl.cmake: keymac_verilate_array / keymac_rtl_registry).
#pragma once

#include <memory>
#include <vector>

#include "rtl_array.h"

namespace keymac::rtl {

// Every (rows, cols, keyed) that make_rtl_array() can build.
std::vector<RtlGeometry> rtl_geometries();

// A fresh model of that geometry, or nullptr if none was verilated.
std::unique_ptr<RtlArray> make_rtl_array(int rows, int cols, bool keyed);
// The same with the key mode: expanded = KeyMode 1 (keyed only).
std::unique_ptr<RtlArray> make_rtl_array(int rows, int cols, bool keyed, bool expanded);

}  // namespace keymac::rtl
