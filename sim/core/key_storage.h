// Size of the key register of ARCHITECTURE.md section 5, in flip-flops, as
// the RTL builds it (rtl/km_keyreg.sv): R*C key bits, a row counter of
// max(1, ceil(log2 R)) bits and a column counter of max(1, ceil(log2 C)) bits
// that point at the next bit to load, the sealed flag and the sticky error
// flag. A plain array has none. tests/e2e/synth_cli.sh checks this against
// the flip-flops Yosys counts (keyed minus plain).
#pragma once
#include <cstdint>

#include "sim/core/geometry.h"

namespace keymac {

inline int64_t clog2_min1(int64_t n) {
  int64_t b = 0;
  while ((int64_t(1) << b) < n) ++b;
  return b < 1 ? 1 : b;
}
inline int64_t key_register_bits(Geometry g) {
  return g.pes() + clog2_min1(g.rows) + clog2_min1(g.cols) + 2;
}

}  // namespace keymac
