// Per-cycle register activity of the keyed array running one GEMM under the
// ideal-memory schedule (ARCHITECTURE.md sections 7 and 8): the power proxy
// of the `power` side-channel attack.
// Contract: simulate_toggles() returns, for each cycle t = 0 .. cycles-1 of
// the layer (at most max_cycles when > 0), the number of bits that change in
// PE registers at the edge ending cycle t: activation register (8 bits),
// both weight banks (2 x 8), partial-sum register (32). Registers start at 0
// (reset). key == nullptr: plain array. It is the same model for the device
// (true key) and for the attacker (hypothesised keys); the attacker knows
// the architecture, the inputs and the locked weights.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/core/geometry.h"
#include "sim/core/key.h"
#include "sim/core/schedule.h"

namespace keymac {

std::vector<double> simulate_toggles(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g,
                                     const Key* key, int64_t max_cycles = 0);

// Total toggles of each register class over the whole layer (for checks
// against host/energy/activity).
struct ToggleTotals {
  uint64_t act = 0, weight = 0, psum = 0;
};
ToggleTotals simulate_toggle_totals(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, const Key* key);

}  // namespace keymac
