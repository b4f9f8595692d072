#include "host/backend/settings.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/core/error.h"
#include "sim/core/setting_defaults.h"

namespace keymac {

namespace {

using json = nlohmann::json;
namespace d = setting_default;

// Getters/setters of the fields the settings live in.
#define KEYMAC_SETTING_FIELD(expr, type)                                             \
  [](const SettingsTarget& t) -> json { return expr; },                              \
      [](const SettingsTarget& t, const json& v) { expr = v.get<type>(); }

std::string fmt_number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> s = {
      {"finite_memory", SettingType::kBool, d::finite_memory, "", 0, 1, false, {}, "ideal", true, SettingScope::kSystemc,
       "model the SRAMs and the DRAM channel with stalls (false: ideal memory, closed-form cycles)",
       [](const SettingsTarget& t) -> json { return !t.memory->ideal; },
       [](const SettingsTarget& t, const json& v) { t.memory->ideal = !v.get<bool>(); }},
      {"dram_bw", SettingType::kNumber, d::dram_bw, "bytes/cycle", 1.0 / 1024, 1e6, false, {}, "dram_bytes_per_cycle", false,
       SettingScope::kFiniteMemory, "DRAM channel bandwidth",
       KEYMAC_SETTING_FIELD(t.memory->dram_bytes_per_cycle, double)},
      {"dram_latency", SettingType::kInt, d::dram_latency, "cycles", 0, 1e6, false, {}, "dram_latency_cycles", false,
       SettingScope::kFiniteMemory, "DRAM latency: cycles from transfer end to data on chip",
       KEYMAC_SETTING_FIELD(t.memory->dram_latency_cycles, uint32_t)},
      {"wbuf_kib", SettingType::kInt, d::wbuf_kib, "KiB", 1, 1e7, false, {}, "weight_sram_kib", false,
       SettingScope::kFiniteMemory, "weight SRAM (double-buffered weight tiles)",
       KEYMAC_SETTING_FIELD(t.memory->weight_sram_kib, uint32_t)},
      {"ibuf_kib", SettingType::kInt, d::ibuf_kib, "KiB", 1, 1e7, false, {}, "input_sram_kib", false,
       SettingScope::kFiniteMemory, "input (activation) SRAM",
       KEYMAC_SETTING_FIELD(t.memory->input_sram_kib, uint32_t)},
      {"abuf_kib", SettingType::kInt, d::abuf_kib, "KiB", 1, 1e7, false, {}, "accum_sram_kib", false,
       SettingScope::kFiniteMemory, "accumulator (output) SRAM",
       KEYMAC_SETTING_FIELD(t.memory->accum_sram_kib, uint32_t)},
      {"timing", SettingType::kChoice, d::timing, "", 0, 0, false, {"fold", "cycle"}, nullptr, false, SettingScope::kSystemc,
       "fold: a fold at a time, stalls from the planner (fast); cycle: memory system and register-level array "
       "stepped every cycle",
       KEYMAC_SETTING_FIELD(*t.timing, std::string)},
      {"rtl_grid", SettingType::kChoice, d::rtl_grid, "", 0, 0, false, {"auto", "pe", "sim"}, nullptr, false,
       SettingScope::kRtl,
       "form of the PE grid: pe the km_pe instances (synthesised form), sim the simulation form (no trace), "
       "auto sim unless --vcd or --saif",
       KEYMAC_SETTING_FIELD(*t.rtl_grid, std::string)},
      {"clock_mhz", SettingType::kNumber, d::clock_mhz, "MHz", 0, 1e6, true, {}, nullptr, false,
       SettingScope::kAllBackends, "array clock: latency in time, waveform time scale",
       KEYMAC_SETTING_FIELD(*t.clock_mhz, double)},
  };
  return s;
}

#undef KEYMAC_SETTING_FIELD

const char* scope_backend(SettingScope scope) {
  switch (scope) {
    case SettingScope::kAllBackends: return "";
    case SettingScope::kSystemc:
    case SettingScope::kFiniteMemory: return "systemc";
    case SettingScope::kRtl: return "rtl";
  }
  return "";
}

const Setting* find_setting(const std::string& name) {
  for (const auto& s : settings())
    if (name == s.name) return &s;
  return nullptr;
}

std::string Setting::flag() const {
  std::string f = std::string("--") + name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string Setting::type_text() const {
  switch (type) {
    case SettingType::kBool: return "true or false";
    case SettingType::kInt: return "an integer " + fmt_number(lo) + ".." + fmt_number(hi);
    case SettingType::kNumber:
      return lo_open ? "a number > " + fmt_number(lo) + " and <= " + fmt_number(hi)
                     : "a number " + fmt_number(lo) + ".." + fmt_number(hi);
    case SettingType::kChoice: {
      std::string c;
      for (const auto& x : choices) c += (c.empty() ? "" : ", ") + x;
      return "one of " + c;
    }
  }
  return "?";
}

json Setting::check(const json& v, const std::string& where) const {
  auto bad = [&] { return Error(where + ": value " + v.dump() + " is not " + type_text()); };
  switch (type) {
    case SettingType::kBool:
      if (!v.is_boolean()) throw bad();
      return v;
    case SettingType::kChoice:
      if (!v.is_string() || std::find(choices.begin(), choices.end(), v.get<std::string>()) == choices.end())
        throw bad();
      return v;
    case SettingType::kInt:
      if (!v.is_number_integer()) throw bad();
      if (v.is_number_unsigned() ? v.get<uint64_t>() > hi : (v.get<int64_t>() < lo || v.get<int64_t>() > hi))
        throw bad();
      return v.get<int64_t>();
    case SettingType::kNumber: {
      if (!v.is_number()) throw bad();
      const double x = v.get<double>();
      if (!std::isfinite(x) || x < lo || (lo_open && x == lo) || x > hi) throw bad();
      return x;  // always a double, so 1000 and 1000.0 are one value
    }
  }
  throw bad();
}

json Setting::parse_text(const std::string& text, const std::string& where) const {
  auto bad = [&] { return Error(where + ": '" + text + "' is not " + type_text()); };
  switch (type) {
    case SettingType::kBool:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      throw bad();
    case SettingType::kChoice:
      return check(json(text), where);
    case SettingType::kInt: {
      if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) throw bad();
      return check(json(std::stoll(text)), where);
    }
    case SettingType::kNumber: {
      errno = 0;
      char* end = nullptr;
      const double x = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(x)) throw bad();
      try {
        return check(json(x), where);
      } catch (const Error&) {
        throw bad();
      }
    }
  }
  throw bad();
}

std::string settings_markdown() {
  std::string t =
      "| setting (sweep axis) | `keymac run` flag | JSON memory config key | type | default | unit | honoured by | "
      "description |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& s : settings()) {
    std::string json_key = s.json_key ? std::string("`") + s.json_key + "`" : "—";
    if (s.json_negated) json_key += " (negated)";
    const char* scope = s.scope == SettingScope::kAllBackends ? "every backend"
                        : s.scope == SettingScope::kFiniteMemory ? "systemc with `--finite-memory`"
                                                                 : scope_backend(s.scope);
    std::string def = s.default_value.is_string() ? s.default_value.get<std::string>()
                      : s.default_value.is_number() ? fmt_number(s.default_value.get<double>())
                                                    : s.default_value.dump();
    t += "| `" + std::string(s.name) + "` | `" + s.flag() + "` | " + json_key + " | " + s.type_text() + " | " + def +
         " | " + (*s.unit ? s.unit : "—") + " | " + scope + " | " + s.description + " |\n";
  }
  return t;
}

}  // namespace keymac
