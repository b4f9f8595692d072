// The settings registry: keymac's memory and run settings, each declared once
// with its name, type, default (sim/core/setting_defaults.h), unit, range,
// description and the backends it applies to, the way Ramulator 2 declares
// its params. Everything that accepts a setting iterates this table: the
// `keymac run` flags (host/cli/settings_flags.h), the JSON memory config
// (memory_options_from_json), the sweep axes (host/sweep/sweep_spec.cc), the
// honoured-option checks (host/runtime/honoured_options.cc) and the docs table
// (settings_markdown(), docs/SYSTEMC.md "Settings").
//
// Contract:
//  * settings() lists every setting once, in a fixed order; names are
//    snake_case sweep-axis names; flag() is "--" + name with '-' for '_'.
//  * check(v, where) returns v normalised (ints as integers, numbers as
//    doubles) or throws keymac::Error "<where>: ..." naming the value and the
//    allowed type/range/choices; parse_text() does the same for CLI text.
//  * get/set read and write the setting in a SettingsTarget; set() expects a
//    value that passed check(). A target member may be null when the caller
//    only handles settings that live elsewhere (the JSON config: memory only).
//  * json_key is the setting's key in the JSON memory config (nullptr: not
//    accepted there); json_negated: the JSON value is the negation (the
//    config's "ideal" is !finite_memory).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "host/backend/backend_options.h"

namespace keymac {

enum class SettingType { kBool, kInt, kNumber, kChoice };
// Which runs honour a setting: every backend; only --backend systemc; only
// --backend systemc with --finite-memory; only --backend rtl.
enum class SettingScope { kAllBackends, kSystemc, kFiniteMemory, kRtl };
// The backend that honours a setting of that scope ("" for kAllBackends).
const char* scope_backend(SettingScope scope);

struct SettingsTarget {
  MemoryOptions* memory = nullptr;
  std::string* timing = nullptr;
  double* clock_mhz = nullptr;
  std::string* rtl_grid = nullptr;
};
// Every setting's field: those of `backend` and the run's clock.
inline SettingsTarget settings_target(BackendOptions& backend, double& clock_mhz) {
  return {&backend.memory, &backend.timing, &clock_mhz, &backend.rtl_grid};
}

struct Setting {
  const char* name;
  SettingType type;
  nlohmann::json default_value;
  const char* unit;        // "" when dimensionless
  double lo, hi;           // range of kInt / kNumber: lo..hi inclusive
  bool lo_open;            // kNumber: > lo instead of >= lo
  std::vector<std::string> choices;  // kChoice
  const char* json_key;    // nullptr: not in the JSON memory config
  bool json_negated;
  SettingScope scope;
  const char* description;
  nlohmann::json (*get)(const SettingsTarget&);
  void (*set)(const SettingsTarget&, const nlohmann::json&);

  std::string flag() const;
  std::string type_text() const;  // "integer 0..1000000", "fold | cycle", ...
  nlohmann::json check(const nlohmann::json& v, const std::string& where) const;
  nlohmann::json parse_text(const std::string& text, const std::string& where) const;
};

const std::vector<Setting>& settings();
const Setting* find_setting(const std::string& name);
// The Markdown table of docs/SYSTEMC.md "Settings" (generated, never edited).
std::string settings_markdown();

}  // namespace keymac
