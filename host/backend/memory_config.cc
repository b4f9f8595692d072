#include "host/backend/memory_config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "host/backend/settings.h"
#include "sim/core/error.h"

namespace keymac {

MemoryOptions memory_options_from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": the memory config must be a JSON object");
  MemoryOptions m;
  const SettingsTarget t{&m, nullptr, nullptr};
  for (const auto& [key, v] : j.items()) {
    const Setting* s = nullptr;
    for (const auto& x : settings())
      if (x.json_key && key == x.json_key) s = &x;
    if (!s) {
      std::string known;
      for (const auto& x : settings())
        if (x.json_key) known += (known.empty() ? "" : ", ") + std::string(x.json_key);
      throw Error(origin + ": unknown memory parameter '" + key + "' (known: " + known + ")");
    }
    const auto value = s->check(v, origin + ": memory parameter '" + key + "'");
    s->set(t, s->json_negated ? nlohmann::json(!value.get<bool>()) : value);
  }
  return m;
}

MemoryConfig to_memory_config(const MemoryOptions& m) {
  MemoryConfig c;
  c.ideal = m.ideal;
  c.dram_bytes_per_cycle = m.dram_bytes_per_cycle;
  c.dram_latency_cycles = m.dram_latency_cycles;
  c.weight_sram_bytes = uint64_t(m.weight_sram_kib) * 1024;
  c.input_sram_bytes = uint64_t(m.input_sram_kib) * 1024;
  c.accum_sram_bytes = uint64_t(m.accum_sram_kib) * 1024;
  return c;
}

void validate_memory_options(const MemoryOptions& m, Geometry g) { to_memory_config(m).validate(g); }

nlohmann::json memory_options_to_json(const MemoryOptions& m) {
  nlohmann::json j = nlohmann::json::object();
  MemoryOptions copy = m;
  const SettingsTarget t{&copy, nullptr, nullptr};
  for (const auto& s : settings())
    if (s.json_key) j[s.json_key] = s.json_negated ? nlohmann::json(!s.get(t).get<bool>()) : s.get(t);
  return j;
}

uint64_t trace_period_ps(double clock_mhz) {
  if (!(clock_mhz > 0) || !std::isfinite(clock_mhz)) throw Error("--clock-mhz: must be positive");
  return 2 * static_cast<uint64_t>(std::max(1.0, std::round(5e5 / clock_mhz)));
}

}  // namespace keymac
