#include "host/runtime/trace_notes.h"

#include <algorithm>

namespace keymac {

namespace {
// Names of what runs in [a, b]: the key load, the first batch's layers, later batches.
std::string covered(const nlohmann::json& rep, uint64_t key_cycles, uint64_t a, uint64_t b, bool more_batches) {
  std::vector<std::string> parts;
  if (a < key_cycles) parts.push_back("key load");
  uint64_t t = key_cycles;
  for (const auto& l : rep.at("layers")) {
    const uint64_t n = l.at("cycles").get<uint64_t>();
    if (n && a < t + n && b >= t) parts.push_back(l.at("name").get<std::string>());
    t += n;
  }
  if (more_batches && b >= t) parts.push_back("later batches");
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

TraceNote note(const std::string& path, const std::string& what, uint64_t n, const nlohmann::json& rep, uint64_t key_cycles,
               bool more_batches, const TraceOptions& tr) {
  TraceNote t;
  t.path = path;
  if (n == 0 || tr.window_from >= n) {
    t.empty = true;
    t.line = path + ": not written: --trace-window " + std::to_string(tr.window_from) + ":" + std::to_string(tr.window_to) +
             " starts after the " + what + " (cycles 0.." + std::to_string(n ? n - 1 : 0) + ")";
    return t;
  }
  const uint64_t a = tr.window_from, b = std::min(tr.window_to, n - 1);
  t.line = "wrote " + path + " (cycles " + std::to_string(a) + ".." + std::to_string(b) + " of " + std::to_string(n) + ", " +
           what + "; " + covered(rep, key_cycles, a, b, more_batches) + ")";
  if (a > 0 || b < n - 1)
    t.warning = path + " covers only cycles " + std::to_string(a) + ".." + std::to_string(b) + " of the " + std::to_string(n) +
                "-cycle " + what + " (--trace-window " + std::to_string(tr.window_from) + ":" + std::to_string(tr.window_to) + ")";
  return t;
}
}  // namespace

std::vector<TraceNote> trace_notes(const RunConfig& cfg, const nlohmann::json& rep) {
  std::vector<TraceNote> out;
  const TraceOptions& tr = cfg.backend_options.trace;
  const uint64_t key_cycles = rep.at("key").at("load_cycles").get<uint64_t>();
  const uint64_t eval = key_cycles + rep.at("cycles").at("keyed_total").get<uint64_t>();
  const uint64_t batch = key_cycles + rep.at("cycles").at("keyed").get<uint64_t>();
  const bool more = rep.at("cycles").at("keyed_total").get<uint64_t>() > rep.at("cycles").at("keyed").get<uint64_t>();
  if (!tr.vcd_path.empty()) out.push_back(note(tr.vcd_path, "right-key evaluation", eval, rep, key_cycles, more, tr));
  if (!cfg.saif_path.empty()) {
    if (cfg.backend == "rtl") out.push_back(note(cfg.saif_path, "right-key evaluation", eval, rep, key_cycles, more, tr));
    else out.push_back(note(cfg.saif_path, "one-batch replay", batch, rep, key_cycles, false, tr));
  }
  if (rep.contains("scalesim_trace")) out.push_back(scalesim_trace_note(rep));
  return out;
}

TraceNote scalesim_trace_note(const nlohmann::json& rep) {
  const auto& s = rep.at("scalesim_trace");
  TraceNote t;
  t.path = s.at("path").get<std::string>();
  t.line = s.at("line").get<std::string>();
  t.warning = s.at("warning").get<std::string>();
  return t;
}

}  // namespace keymac
