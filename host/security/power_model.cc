#include "host/security/power_model.h"

#include "sim/core/error.h"

namespace keymac {
std::vector<double> simulate_toggles(const int8_t*, const int8_t*, GemmShape, Geometry, const Key*, int64_t) {
  throw Error("power model: not implemented yet");
}
ToggleTotals simulate_toggle_totals(const int8_t*, const int8_t*, GemmShape, Geometry, const Key*) {
  throw Error("power model: not implemented yet");
}
}  // namespace keymac
