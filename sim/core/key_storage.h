// Size of the key register of ARCHITECTURE.md section 5, in flip-flops:
// R*C key bits, a bit counter 0..R*C, the sealed flag and the sticky error
// flag. A plain array has none. The RTL's synthesized flop count is checked
// against the design in tests/rtl.
#pragma once
#include <cstdint>

#include "sim/core/geometry.h"

namespace keymac {

inline int64_t key_counter_bits(Geometry g) {
  int64_t b = 1;
  while ((int64_t(1) << b) <= g.pes()) ++b;  // counts 0..R*C inclusive
  return b;
}
inline int64_t key_register_bits(Geometry g) { return g.pes() + key_counter_bits(g) + 2; }

}  // namespace keymac
