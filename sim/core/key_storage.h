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

// Flip-flops of the expanded key mode (ARCHITECTURE.md section 11.6): one key
// bit beside each of the 2*R*C weight-bank registers, the C*(C-1)/2 flops that
// skew the row's key bits like the weights (column c waits c cycles), the
// 288-bit Trivium state, the 80-bit master-key register with its 7-bit load
// counter, sealed and error flags, and the warm-up counter (ceil(1152 / C)
// cycles) with its ready flag. As rtl/km_array.sv (KeyMode = 1) builds it:
// tests/e2e/synth_keyexp.sh checks it against Yosys (expanded minus plain).
inline int64_t expanded_warmup_cycles(Geometry g) { return (1152 + g.cols - 1) / g.cols; }
inline int64_t expanded_key_storage_bits(Geometry g) {
  return 2 * int64_t(g.pes()) + int64_t(g.cols) * (g.cols - 1) / 2 + 288 + 80 + 7 + 2 +
         params::index_width(static_cast<int>(expanded_warmup_cycles(g) + 1)) + 1;
}

}  // namespace keymac
