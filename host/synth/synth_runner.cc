#include "host/synth/synth_runner.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <vector>

#include "base/spawn.h"
#include "sim/core/atomic_file.h"
#include "sim/core/error.h"
#include "sim/core/key_storage.h"

#ifndef KEYMAC_SOURCE_DIR
#define KEYMAC_SOURCE_DIR "."
#endif

namespace keymac {

namespace {

void mkdirs(const std::string& path) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error(cur + ": cannot create directory");
    }
    if (i < path.size()) cur.push_back(path[i]);
  }
}

// Runs a synthesis script (argv, no shell) with its output in `log`, and reads
// the JSON summary whose path the script prints last (Yosys warnings on stderr
// may follow it in the log).
nlohmann::json run_script(const std::vector<std::string>& argv, const std::string& log, const std::string& what) {
  SpawnOptions so;
  so.stdout_path = log;
  so.stderr_path = log;
  so.missing_hint = "Debian: apt-get install bash";
  if (run_tool(argv, so) != 0) throw Error("yosys synthesis of " + what + " failed (log: " + log + ")");
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) if (line.size() > 5 && line.compare(line.size() - 5, 5, ".json") == 0) last = line;
  try {
    return nlohmann::json::parse(read_text_file(last, "synthesis summary"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(last + ": unreadable synthesis summary (" + e.what() + ")");
  }
}

nlohmann::json run_one(Geometry g, int keyed, const std::string& dir, SynthFlow flow, int keymode = 0) {
  const std::string script = std::string(KEYMAC_SOURCE_DIR) + "/rtl/synth/run_synth.sh";
  const bool hier = flow == SynthFlow::kHier;
  const std::string log = dir + "/run_synth_" + g.str() + "_k" + std::to_string(keyed) + (keymode ? "_kx" : "") + (hier ? "_hier" : "") + ".log";
  // FLATTEN goes through env(1): run_tool takes an argv and never a shell.
  std::vector<std::string> argv = {"env", hier ? "FLATTEN=0" : "FLATTEN=1", "bash", script, g.str(), std::to_string(keyed), dir};
  if (keymode) argv.insert(argv.end(), {"1", std::to_string(keymode)});
  return run_script(argv, log, "the " + std::string(keymode ? "expanded-key" : keyed ? "keyed" : "plain") + " " + g.str() + " array (" + synth_flow_name(flow) + ")");
}

std::string cache_file(Geometry g) { return synth_cache_dir() + "/synth/" + g.str() + ".json"; }

}  // namespace

SynthFlow parse_synth_flow(const std::string& s) {
  if (s == "flat") return SynthFlow::kFlat;
  if (s == "hier") return SynthFlow::kHier;
  throw UsageError("--flow: '" + s + "' is not flat or hier");
}

const char* synth_flow_name(SynthFlow f) { return f == SynthFlow::kHier ? "hierarchical" : "flat"; }

std::string synth_cache_dir() {
  if (const char* c = std::getenv("KEYMAC_CACHE"); c && *c) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/keymac";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/keymac";
  return "/tmp/keymac-cache";
}

nlohmann::json synthesize(Geometry g, const std::string& work_dir, SynthFlow flow) {
  const std::string dir = work_dir.empty() ? synth_cache_dir() + "/synth/" + g.str() : work_dir;
  // The directory is spliced into a Yosys script (rtl/synth/synth.ys.in), where
  // spaces, ';', quotes or newlines would change the commands: a safe set only.
  if (dir.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+./,@%=:~") != std::string::npos)
    throw Error((work_dir.empty() ? std::string("synthesis cache directory") : std::string("--work-dir")) +
                ": a Yosys script cannot hold this path (use letters, digits and _ - + . / , @ % = : ~ only)");
  mkdirs(dir);
  const auto k = run_one(g, 1, dir, flow);
  const auto p = run_one(g, 0, dir, flow);
  const double ak = k.at("area_proxy").get<double>(), ap = p.at("area_proxy").get<double>();
  nlohmann::json r = {
      {"array", g.str()},
      {"area", {{"keyed", ak}, {"plain", ap}, {"overhead_pct", 100.0 * (ak - ap) / ap},
                {"flow", synth_flow_name(flow)},
                {"unit", "transistors (Yosys stat -tech cmos, flip-flops at " + std::to_string(k.at("transistors_per_flop").get<int>()) + " each)"}}},
      {"flops", {{"keyed", k.at("flops")}, {"plain", p.at("flops")}, {"extra", k.at("flops").get<int64_t>() - p.at("flops").get<int64_t>()}}},
      {"cells", {{"keyed", k.at("cells")}, {"plain", p.at("cells")}}},
      {"key", {{"bits", g.pes()}, {"register_bits_spec", key_register_bits(g)}}},
      {"flow", synth_flow_name(flow)},
      {"tool", k.value("tool", "yosys")},
      {"keyed_detail", k},
      {"plain_detail", p}};
  store_synthesis(g, r);
  return r;
}

void store_synthesis(Geometry g, const nlohmann::json& r) {
  mkdirs(synth_cache_dir() + "/synth");
  write_file_atomic(cache_file(g), r.dump(2) + "\n");
}

nlohmann::json synthesize_keyexp(Geometry g, const std::string& work_dir) {
  const std::string dir = work_dir.empty() ? synth_cache_dir() + "/synth/" + g.str() : work_dir;
  mkdirs(dir);
  if (g.cols > 64) throw Error("--key-mode expanded: km_keyexp runs at most 64 rounds per cycle; " + g.str() + " needs " + std::to_string(g.cols));
  const std::string script = std::string(KEYMAC_SOURCE_DIR) + "/rtl/synth/run_synth_keyexp.sh";
  const std::string log = dir + "/run_synth_keyexp_p" + std::to_string(g.cols) + ".log";
  nlohmann::json r = run_script({"bash", script, std::to_string(g.cols), dir}, log,
                                "km_keyexp (Par " + std::to_string(g.cols) + ")");
  r["per_pe_key_bits"] = 2 * int64_t(g.pes());
  r["storage_bits_spec"] = expanded_key_storage_bits(g);
  return r;
}

nlohmann::json synthesize_expanded_array(Geometry g, const std::string& work_dir, SynthFlow flow) {
  const std::string dir = work_dir.empty() ? synth_cache_dir() + "/synth/" + g.str() : work_dir;
  if (g.cols > 64) throw Error("--key-mode expanded: km_keyexp runs at most 64 rounds per cycle; " + g.str() + " needs " + std::to_string(g.cols));
  mkdirs(dir);
  nlohmann::json r = run_one(g, 1, dir, flow, 1);
  r["storage_bits_spec"] = expanded_key_storage_bits(g);
  return r;
}

nlohmann::json cached_synthesis(Geometry g) {
  std::ifstream in(cache_file(g));
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // a damaged cache entry is ignored (re-run keymac synth)
  }
}

nlohmann::json cached_area(Geometry g, bool expanded) {
  const nlohmann::json syn = cached_synthesis(g);
  if (syn.is_null() || !syn.contains("area")) return nullptr;
  if (!expanded) return syn["area"];
  if (!syn.contains("expanded_array") || !syn["expanded_array"].contains("overhead_pct")) return nullptr;
  const auto& xa = syn["expanded_array"];
  nlohmann::json a = syn["area"];
  a["keyed"] = xa["area_proxy"];
  a["overhead_pct"] = xa["overhead_pct"];
  a["mode"] = "expanded";
  return a;
}

}  // namespace keymac
