#include "host/runtime/honoured_options.h"

#include <algorithm>

#include "host/backend/settings.h"
#include "sim/core/error.h"

namespace keymac {

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The settings that act only with finite memory, from the settings registry.
std::vector<std::string> flags_of_scope(SettingScope scope) {
  std::vector<std::string> f;
  for (const auto& s : settings())
    if (s.scope == scope) f.push_back(s.flag());
  return f;
}
const std::vector<std::string>& memory_flags() {
  static const std::vector<std::string> f = flags_of_scope(SettingScope::kFiniteMemory);
  return f;
}
// The backend that alone honours the setting behind a flag ("" for none).
std::string only_backend(const std::string& flag) {
  for (const auto& s : settings())
    if (s.flag() == flag) return scope_backend(s.scope);
  return "";
}
}  // namespace

std::string flag_of_param(const std::string& param) {
  std::string f = "--" + param;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

void check_honoured(const std::string& backend, const std::vector<std::string>& given, bool finite_memory) {
  const bool systemc = backend == "systemc";
  for (const std::string& f : given) {
    const bool memory = f == "--finite-memory" || f == "--mem-config" || has(memory_flags(), f);
    if (memory && !systemc)
      throw Error(f + ": the " + backend + " backend has ideal memory; only --backend systemc models DRAM and SRAM (with --finite-memory)");
    if (has(memory_flags(), f) && !finite_memory)
      throw Error(f + ": has no effect with ideal memory (the default); add --finite-memory");
    const std::string only = only_backend(f);
    if (!memory && !only.empty() && backend != only)
      throw Error(f + ": only --backend " + only + " honours it; the " + backend + " backend would ignore it");
    if (f == "--vcd" && backend != "systemc" && backend != "rtl")
      throw Error("--vcd: the " + backend + " backend has no waveform; use --backend systemc or rtl (--saif works on any backend)");
    if (f == "--saif-names" && (backend != "rtl" || !has(given, "--saif")))
      throw Error("--saif-names: only the rtl backend's --saif has internal instances to name (the " + backend +
                  " SAIF holds the km_array ports only)" + (has(given, "--saif") ? "" : "; and no --saif is given"));
    if ((f == "--trace-window" || f == "--trace-limit-mb" || f == "--force-trace") && !has(given, "--vcd") &&
        !has(given, "--saif") && !has(given, "--scalesim-trace"))
      throw Error(f + ": no trace is written; add --vcd, --saif or --scalesim-trace");
    if (f == "--save-key" && (has(given, "--key") || has(given, "--key-seed")))
      throw Error("--save-key: saves a fresh random key, but the key comes from " +
                  std::string(has(given, "--key") ? "--key" : "--key-seed") + "; nothing would be saved");
  }
}

}  // namespace keymac
