// The one place that knows every backend. A backend built into keymac adds
// one entry here (guarded by its CMake option if it is optional).
#include <functional>
#include <vector>

#include "host/backend/array_backend.h"
#include "host/backend/functional_backend.h"
#ifdef KEYMAC_HAVE_RTL
#include "host/backend/rtl_backend.h"
#endif
#include "host/backend/systemc_backend.h"
#include "sim/core/error.h"

namespace keymac {

namespace {
struct Entry {
  const char* name;
  std::function<std::unique_ptr<ArrayBackend>(Geometry, const BackendOptions&)> make;
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {"functional",
       [](Geometry g, const BackendOptions&) { return std::make_unique<FunctionalBackend>(g); }},
      {"systemc", [](Geometry g, const BackendOptions& o) { return std::make_unique<SystemcBackend>(g, o); }},
#ifdef KEYMAC_HAVE_RTL
      {"rtl", [](Geometry g, const BackendOptions& o) { return std::make_unique<RtlBackend>(g, o); }},
#endif
  };
  return entries;
}
}  // namespace

LayerStats& LayerStats::operator+=(const LayerStats& o) {
  cycles += o.cycles;
  stall_cycles += o.stall_cycles;
  macs += o.macs;
  for (const auto& [k, v] : o.counters) counters[k] += v;
  return *this;
}

std::string available_backends() {
  std::string s;
  for (const auto& e : registry()) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

void require_key_mode_supported(const ArrayBackend& backend, const KeySource* key) {
  if (key && key->mode() == KeyMode::kExpanded && !backend.supports_expanded_key())
    throw Error("--key-mode expanded: the " + backend.name() + " backend does not model expanded keys yet (use --backend functional)");
}

std::unique_ptr<ArrayBackend> make_backend(const std::string& name, Geometry g,
                                           const BackendOptions& options) {
  for (const auto& e : registry())
    if (name == e.name) return e.make(g, options);
  throw Error("--backend: unknown backend '" + name + "' (available: " + available_backends() + ")");
}

}  // namespace keymac
