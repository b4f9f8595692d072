// Size of the key register of ARCHITECTURE.md section 5, in flip-flops, as
// the RTL builds it (rtl/km_keyreg.sv): R*C key bits, a row counter of
// params::index_width(R) bits and a column counter of params::index_width(C)
// bits (params/keymac_params.json: max(1, ceil(log2 n))) that point at the next bit to load, the sealed flag and the sticky error
// flag. A plain array has none. tests/e2e/synth_cli.sh checks this against
// the flip-flops Yosys counts (keyed minus plain).
#pragma once
#include <cstdint>

#include "params/keymac_params.h"
#include "sim/core/geometry.h"

namespace keymac {

inline int64_t key_register_bits(Geometry g) {
  return g.pes() + params::index_width(g.rows) + params::index_width(g.cols) + 2;
}

}  // namespace keymac
