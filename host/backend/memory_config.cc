#include "host/backend/memory_config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"

namespace keymac {

namespace {
uint32_t get_uint(const nlohmann::json& v, const std::string& key, const std::string& origin) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 0xffffffffll)
    throw Error(origin + ": memory parameter '" + key + "' must be a non-negative integer (got " +
                v.dump() + ")");
  return static_cast<uint32_t>(v.get<int64_t>());
}
}  // namespace

MemoryOptions memory_options_from_json(const nlohmann::json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": the memory config must be a JSON object");
  MemoryOptions m;
  for (const auto& [key, v] : j.items()) {
    if (key == "ideal") {
      if (!v.is_boolean())
        throw Error(origin + ": memory parameter 'ideal' must be true or false (got " + v.dump() + ")");
      m.ideal = v.get<bool>();
    } else if (key == "dram_bytes_per_cycle") {
      if (!v.is_number())
        throw Error(origin + ": memory parameter 'dram_bytes_per_cycle' must be a number (got " +
                    v.dump() + ")");
      m.dram_bytes_per_cycle = v.get<double>();
      if (!std::isfinite(m.dram_bytes_per_cycle) || m.dram_bytes_per_cycle < 1.0 / 1024 || m.dram_bytes_per_cycle > 1e6)
        throw Error(origin + ": memory parameter 'dram_bytes_per_cycle' = " + v.dump() +
                    " is out of range (1/1024 .. 1e6 bytes per cycle)");
    } else if (key == "dram_latency_cycles") {
      m.dram_latency_cycles = get_uint(v, key, origin);
      if (m.dram_latency_cycles > 1000000)
        throw Error(origin + ": memory parameter 'dram_latency_cycles' = " + v.dump() + " is out of range (0 .. 1000000)");
    } else if (key == "weight_sram_kib") {
      m.weight_sram_kib = get_uint(v, key, origin);
    } else if (key == "input_sram_kib") {
      m.input_sram_kib = get_uint(v, key, origin);
    } else if (key == "accum_sram_kib") {
      m.accum_sram_kib = get_uint(v, key, origin);
    } else {
      throw Error(origin + ": unknown memory parameter '" + key +
                  "' (known: ideal, dram_bytes_per_cycle, dram_latency_cycles, weight_sram_kib, "
                  "input_sram_kib, accum_sram_kib)");
    }
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
  return nlohmann::json{{"ideal", m.ideal},
                        {"dram_bytes_per_cycle", m.dram_bytes_per_cycle},
                        {"dram_latency_cycles", m.dram_latency_cycles},
                        {"weight_sram_kib", m.weight_sram_kib},
                        {"input_sram_kib", m.input_sram_kib},
                        {"accum_sram_kib", m.accum_sram_kib}};
}

uint64_t trace_period_ps(double clock_mhz) {
  if (!(clock_mhz > 0) || !std::isfinite(clock_mhz)) throw Error("--clock-mhz: must be positive");
  return 2 * static_cast<uint64_t>(std::max(1.0, std::round(5e5 / clock_mhz)));
}

}  // namespace keymac
