#include "host/sweep/sweep_spec.h"

#include "host/runtime/honoured_options.h"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "host/backend/array_backend.h"
#include "host/backend/settings.h"
#include "host/sweep/filter_expr.h"
#include "sim/core/atomic_file.h"
#include "sim/core/capped_read.h"
#include "sim/core/json_depth.h"
#include "sim/core/error.h"
#include "sim/core/geometry.h"

#ifndef KEYMAC_SOURCE_DIR
#define KEYMAC_SOURCE_DIR "."
#endif

namespace keymac {

namespace {

using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

enum class Type { kString, kInt, kNumber, kBool, kArray };

// The one table of sweep parameters: name, type, range, default (null: not
// filled in), meaning. Ranges match run_job's and the CLI's. The memory and
// run settings are not listed here: they are appended from the settings
// registry (host/backend/settings.h), which checks their values.
struct ParamDef {
  const char* name;
  Type type;
  double lo, hi;
  json def;
  const char* help;
  const Setting* setting = nullptr;
};

std::vector<ParamDef> build_params_table() {
  std::vector<ParamDef> t = {
      {"model", Type::kString, 0, 0, "models/fmnist_mlp.onnx", "ONNX model or locked package"},
      {"array", Type::kArray, 0, 0, "16x16", "array geometry RxC"},
      {"rows", Type::kInt, 1, Geometry::kMaxDim, nullptr, "array rows (instead of array)"},
      {"cols", Type::kInt, 1, Geometry::kMaxDim, nullptr, "array columns (instead of array)"},
      {"backend", Type::kString, 0, 0, "functional", "array backend"},
      {"limit", Type::kInt, -1, 10000, -1, "test images (-1: all 10,000)"},
      {"batch", Type::kInt, 1, 65536, 256, "images per batch"},
      {"wrong_keys", Type::kInt, 0, 10000, 10, "random wrong keys"},
      {"seed", Type::kInt, 0, 9007199254740991.0, 0, "wrong-key seed"},
      {"calib", Type::kInt, 1, 60000, 1000, "calibration images"},
      {"key", Type::kString, 0, 0, nullptr, "key file, directory of RxC.key files, or template with {array} {rows} {cols}"},
      {"key_seed", Type::kInt, 0, 9007199254740991.0, nullptr, "right key drawn from this seed (run --key-seed; instead of key)"},
      {"key_mode", Type::kString, 0, 0, nullptr, "periodic|expanded (run --key-mode; with key_seed an expanded point's master key and nonce come from it)"},
      {"wrong_key_distance", Type::kInt, 0, 65536, nullptr, "wrong keys at this Hamming distance (run --wrong-key-distance; 0: random)"},
      {"energy", Type::kBool, 0, 0, nullptr, "energy per inference in the report (run --energy)"},
      {"data_dir", Type::kString, 0, 0, nullptr, "Fashion-MNIST directory"},
      {"mean", Type::kNumber, -1e9, 1e9, nullptr, "input normalisation mean"},
      {"std", Type::kNumber, 1e-9, 1e9, nullptr, "input normalisation std"},
  };
  // Settings that every backend honours are filled in with their default;
  // backend-specific ones only when given (so they never reach a point whose
  // backend would refuse them, and point ids of older specs stay the same).
  for (const Setting& st : settings())
    t.push_back({st.name, Type::kString, st.lo, st.hi,
                 st.scope == SettingScope::kAllBackends ? st.default_value : json(nullptr), st.description, &st});
  return t;
}

const std::vector<ParamDef>& params_table() {
  static const std::vector<ParamDef> t = build_params_table();
  return t;
}

const ParamDef* find_param(const std::string& name) {
  for (const auto& d : params_table())
    if (name == d.name) return &d;
  return nullptr;
}

std::string type_name(Type t) {
  switch (t) {
    case Type::kString: return "a string";
    case Type::kInt: return "an integer";
    case Type::kNumber: return "a number";
    case Type::kBool: return "true or false";
    case Type::kArray: return "a geometry string \"RxC\"";
  }
  return "?";
}

std::vector<std::string> split_backends() {
  std::vector<std::string> out;
  const std::string s = available_backends();
  size_t p = 0;
  while (p <= s.size()) {
    size_t e = s.find(", ", p);
    if (e == std::string::npos) e = s.size();
    out.push_back(s.substr(p, e - p));
    p = e + 2;
  }
  return out;
}

// Validates and normalises one value; `where` is e.g. "axis 'batch'".
json check_value(const ParamDef& d, const ojson& v, const std::string& where) {
  auto bad = [&](const std::string& why) -> Error { return Error(where + ": " + why); };
  const std::string got = v.dump();
  if (d.setting) return d.setting->check(v, where);
  switch (d.type) {
    case Type::kString: {
      if (!v.is_string() || v.get<std::string>().empty()) throw bad("value " + got + " is not " + type_name(d.type));
      const std::string s = v.get<std::string>();
      if (std::string(d.name) == "backend") {
        bool ok = false;
        for (const auto& b : split_backends()) ok = ok || b == s;
        if (!ok) throw bad("unknown backend \"" + s + "\" (available: " + available_backends() + ")");
      }
      return s;
    }
    case Type::kArray: {
      if (!v.is_string()) throw bad("value " + got + " is not " + type_name(d.type));
      try {
        return Geometry::parse(v.get<std::string>()).str();
      } catch (const Error& e) {
        throw bad(e.what());
      }
    }
    case Type::kBool:
      if (!v.is_boolean()) throw bad("value " + got + " is not " + type_name(d.type));
      return v.get<bool>();
    case Type::kInt:
    case Type::kNumber: {
      if (!v.is_number()) throw bad("value " + got + " is not " + type_name(d.type));
      const double x = v.get<double>();
      if (d.type == Type::kInt && !v.is_number_integer()) throw bad("value " + got + " is not " + type_name(d.type));
      if (!std::isfinite(x) || x < d.lo || x > d.hi) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "value %s is out of range %.15g..%.15g", got.c_str(), d.lo, d.hi);
        throw bad(buf);
      }
      if (std::string(d.name) == "limit" && x == 0) throw bad("value 0: limit must be -1 (all) or 1..10000");
      if (d.type == Type::kInt) return v.get<int64_t>();
      return x;  // numbers are always doubles, so 1000 and 1000.0 give one id
    }
  }
  return nullptr;
}

bool file_exists(const std::string& p, bool* is_dir = nullptr) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return false;
  if (is_dir) *is_dir = S_ISDIR(st.st_mode);
  return true;
}

std::string resolve_path(const std::string& dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  const std::string a = dir + "/" + p;
  if (file_exists(a)) return a;
  const std::string b = std::string(KEYMAC_SOURCE_DIR) + "/" + p;
  if (file_exists(b)) return b;
  return a;
}

// Expands {array} {rows} {cols} in a key template; a directory means <dir>/<RxC>.key.
std::string key_path(const std::string& dir, const std::string& tmpl, Geometry g, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      out += tmpl[i];
      continue;
    }
    const size_t e = tmpl.find('}', i);
    const std::string var = e == std::string::npos ? "" : tmpl.substr(i + 1, e - i - 1);
    if (var == "array") out += g.str();
    else if (var == "rows") out += std::to_string(g.rows);
    else if (var == "cols") out += std::to_string(g.cols);
    else throw Error(where + ": key template \"" + tmpl + "\" has an unknown placeholder (use {array}, {rows}, {cols})");
    i = e;
  }
  std::string p = resolve_path(dir, out);
  bool is_dir = false;
  if (file_exists(p, &is_dir) && is_dir) p = resolve_path(dir, out + "/" + g.str() + ".key");
  return p;
}

std::string fmt_double(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace

std::string sweep_parameter_names() {
  std::string s;
  for (const auto& d : params_table()) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

std::string point_id(const json& params) {
  const std::string s = params.dump();
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

SweepSpec load_sweep_spec(const std::string& path) {
  SweepSpec spec;
  spec.path = path;
  const size_t slash = path.rfind('/');
  spec.dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string text = read_file_capped(path, "sweep spec", uint64_t(16) << 20);
  if (json_nesting_depth(text) > 64) throw Error(path + ": JSON nested deeper than 64 levels");
  ojson raw;
  try {
    raw = ojson::parse(text);
  } catch (const std::exception& e) {
    std::string why = e.what();
    if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
    throw Error(path + ": not valid JSON: " + why);
  }
  if (!raw.is_object()) throw Error(path + ": a sweep spec is a JSON object with \"axes\" (docs/SWEEP.md)");
  for (const auto& [k, v] : raw.items())
    if (k != "name" && k != "description" && k != "base" && k != "axes" && k != "drop_if")
      throw Error(path + ": unknown top-level field '" + k + "' (known: name, description, base, axes, drop_if)");
  for (const char* f : {"name", "description"})
    if (raw.contains(f) && !raw[f].is_string()) throw Error(path + ": \"" + f + "\" must be a string");
  spec.name = raw.value("name", std::string());
  if (spec.name.empty()) {
    std::string stem = path.substr(slash == std::string::npos ? 0 : slash + 1);
    if (auto d = stem.rfind('.'); d != std::string::npos && d > 0) stem = stem.substr(0, d);
    spec.name = stem;
  }

  // Base parameters.
  json base = json::object();
  std::map<std::string, std::string> origin;  // parameter -> "base 'x'" / "axis 'x'"
  if (raw.contains("base")) {
    if (!raw["base"].is_object()) throw Error(path + ": \"base\" must be an object of parameters");
    for (const auto& [k, v] : raw["base"].items()) {
      const std::string where = path + ": base '" + k + "'";
      const ParamDef* d = find_param(k);
      if (!d) throw Error(where + ": unknown parameter (known: " + sweep_parameter_names() + ")");
      base[k] = check_value(*d, v, where);
      origin[k] = where;
    }
  }

  // Axes.
  if (!raw.contains("axes") || !raw["axes"].is_object())
    throw Error(path + ": \"axes\" must be an object mapping parameter names to lists of values");
  struct Axis {
    std::string name;
    std::vector<json> values;
  };
  std::vector<Axis> axes;
  double product = 1;
  for (const auto& [k, v] : raw["axes"].items()) {
    const std::string where = path + ": axis '" + k + "'";
    const ParamDef* d = find_param(k);
    if (!d) throw Error(where + ": unknown axis (known: " + sweep_parameter_names() + ")");
    if (base.contains(k)) throw Error(where + ": also set in \"base\"; set it in one place");
    if (!v.is_array()) throw Error(where + ": must be a list of values, not " + v.dump());
    if (v.empty()) throw Error(where + ": empty list (an axis needs at least one value)");
    Axis a{k, {}};
    std::set<std::string> seen;
    for (const auto& x : v) {
      json n = check_value(*d, x, where);
      if (!seen.insert(n.dump()).second) throw Error(where + ": value " + n.dump() + " appears twice");
      a.values.push_back(std::move(n));
    }
    product *= static_cast<double>(a.values.size());
    origin[k] = where;
    axes.push_back(std::move(a));
  }
  if (product > 1e6) throw Error(path + ": the axes give " + fmt_double(product) + " points; the limit is 1,000,000");
  const bool has_rc = origin.count("rows") || origin.count("cols");
  if (has_rc && origin.count("array"))
    throw Error(origin.count("rows") ? origin["rows"] + ": give the geometry as \"array\" or as rows/cols, not both"
                                     : origin["cols"] + ": give the geometry as \"array\" or as rows/cols, not both");

  // Filters.
  std::vector<FilterExpr> filters;
  if (raw.contains("drop_if")) {
    const ojson& f = raw["drop_if"];
    std::vector<std::string> texts;
    if (f.is_string()) texts.push_back(f.get<std::string>());
    else if (f.is_array()) {
      for (const auto& x : f) {
        if (!x.is_string()) throw Error(path + ": drop_if: each entry must be an expression string, not " + x.dump());
        texts.push_back(x.get<std::string>());
      }
    } else {
      throw Error(path + ": drop_if must be an expression string or a list of them, not " + f.dump());
    }
    for (const auto& t : texts) {
      try {
        filters.push_back(FilterExpr::parse(t));
      } catch (const Error& e) {
        throw Error(path + ": " + e.what());
      }
    }
  }

  // Cartesian product, last axis fastest.
  spec.product = static_cast<int64_t>(product);
  std::vector<size_t> idx(axes.size(), 0);
  std::map<std::string, std::string> checked_files;  // path -> error ("" if fine)
  for (int64_t n = 0; n < spec.product; ++n) {
    json p = base;
    for (size_t a = 0; a < axes.size(); ++a) p[axes[a].name] = axes[a].values[idx[a]];
    for (size_t a = axes.size(); a-- > 0;) {  // odometer
      if (++idx[a] < axes[a].values.size()) break;
      idx[a] = 0;
    }
    if (has_rc) {
      const int r = p.value("rows", 16), c = p.value("cols", 16);
      p.erase("rows");
      p.erase("cols");
      try {
        p["array"] = Geometry::make(r, c).str();
      } catch (const Error& e) {
        throw Error((origin.count("rows") ? origin["rows"] : origin["cols"]) + ": " + e.what());
      }
    }
    for (const auto& d : params_table())
      if (!d.def.is_null() && !p.contains(d.name)) p[d.name] = d.def;
    const Geometry g = Geometry::parse(p["array"].get<std::string>());
    auto lookup = [&](const std::string& id) -> std::optional<FilterValue> {
      if (id == "rows") return double(g.rows);
      if (id == "cols") return double(g.cols);
      if (id == "pes") return double(g.pes());
      if (!p.contains(id)) return std::nullopt;  // unknown, or a parameter this spec never sets
      const json& v = p[id];
      if (v.is_string()) return FilterValue(v.get<std::string>());
      if (v.is_boolean()) return FilterValue(v.get<bool>() ? 1.0 : 0.0);
      return FilterValue(v.get<double>());
    };
    bool drop = false;
    for (const auto& f : filters) {
      try {
        drop = drop || f.eval(lookup);
      } catch (const Error& e) {
        throw Error(path + ": " + e.what());
      }
    }
    if (drop) continue;

    // Files must exist before any point runs.
    auto check_file = [&](const std::string& file, const std::string& where, const std::string& what) {
      auto it = checked_files.find(file);
      if (it == checked_files.end()) {
        std::string err;
        if (!file_exists(file)) err = where + ": " + what + " " + file + " does not exist";
        it = checked_files.emplace(file, err).first;
      }
      if (!it->second.empty()) throw Error(it->second);
    };
    check_file(resolve_path(spec.dir, p["model"].get<std::string>()), origin.count("model") ? origin["model"] : path + ": model",
               "model");
    if (p.contains("key") && p.contains("key_seed"))
      throw Error(path + ": key and key_seed both given; a point's key comes from one of them");
    if (p.contains("key_mode")) {  // issue 11: both key modes as an axis or base option
      try {
        parse_key_mode(p["key_mode"].get<std::string>(), "key_mode");
      } catch (const Error& e) {
        throw Error((origin.count("key_mode") ? origin["key_mode"] : path + ": key_mode") + ": " + e.what());
      }
    }
    {  // Options the point's backend cannot honour are refused before any point runs.
      std::vector<std::string> given;
      for (const Setting& st : settings())  // a bool setting counts as given when true (a CLI flag)
        if (st.scope != SettingScope::kAllBackends && p.contains(st.name) &&
            !(st.type == SettingType::kBool && !p[st.name].get<bool>()))
          given.push_back(st.flag());
      try {
        check_honoured(p["backend"].get<std::string>(), given, p.value("finite_memory", false));
      } catch (const Error& e) {
        throw Error(path + ": point " + point_id(p) + ": " + e.what());
      }
    }
    if (p.contains("key")) {
      const std::string where = origin["key"];
      check_file(key_path(spec.dir, p["key"].get<std::string>(), g, where), where, "key file for " + g.str());
    }
    SweepPoint pt;
    pt.index = static_cast<int64_t>(spec.points.size());
    pt.id = point_id(p);
    pt.params = std::move(p);
    spec.points.push_back(std::move(pt));
  }
  if (spec.points.empty())
    throw Error(path + ": drop_if drops all " + std::to_string(spec.product) + " points; nothing to run");
  return spec;
}

RunConfig point_config(const SweepSpec& spec, const SweepPoint& pt) {
  const json& p = pt.params;
  RunConfig cfg;
  const Geometry g = Geometry::parse(p.at("array").get<std::string>());
  cfg.model = resolve_path(spec.dir, p.at("model").get<std::string>());
  cfg.array = g;
  cfg.backend = p.at("backend").get<std::string>();
  cfg.limit = p.at("limit").get<int64_t>();
  cfg.batch = p.at("batch").get<int64_t>();
  cfg.wrong_keys = p.at("wrong_keys").get<int>();
  cfg.seed = p.at("seed").get<uint64_t>();
  cfg.calib = p.at("calib").get<int64_t>();
  if (p.contains("key")) cfg.key_path = key_path(spec.dir, p["key"].get<std::string>(), g, spec.path + ": key");
  if (p.contains("key_seed")) cfg.key_seed = p["key_seed"].get<uint64_t>();
  if (p.contains("key_mode")) cfg.key_mode = p["key_mode"].get<std::string>();
  if (p.contains("wrong_key_distance")) cfg.wrong_key_distance = p["wrong_key_distance"].get<int>();
  if (p.contains("energy")) cfg.energy = p["energy"].get<bool>();
  if (p.contains("data_dir")) cfg.data_dir = p["data_dir"].get<std::string>();
  if (p.contains("mean")) cfg.preprocess.mean = p["mean"].get<float>();
  if (p.contains("std")) cfg.preprocess.std = p["std"].get<float>();
  const SettingsTarget target = settings_target(cfg.backend_options, cfg.clock_mhz);
  for (const Setting& st : settings())
    if (p.contains(st.name)) st.set(target, p[st.name]);
  cfg.progress = false;
  return cfg;
}

std::vector<std::string> point_run_args(const RunConfig& cfg) {
  std::vector<std::string> a = {"run", "--model", cfg.model, "--backend", cfg.backend,
                                "--limit", std::to_string(cfg.limit), "--batch", std::to_string(cfg.batch),
                                "--wrong-keys", std::to_string(cfg.wrong_keys),
                                "--calib", std::to_string(cfg.calib), "--data-dir", cfg.data_dir,
                                "--mean", fmt_double(cfg.preprocess.mean), "--std", fmt_double(cfg.preprocess.std),
                                "--threads", std::to_string(cfg.threads), "--no-progress"};
  if (cfg.array) a.insert(a.end(), {"--array", cfg.array->str()});
  if (cfg.seed) a.insert(a.end(), {"--seed", std::to_string(*cfg.seed)});
  if (!cfg.key_path.empty()) a.insert(a.end(), {"--key", cfg.key_path});
  if (cfg.key_seed) a.insert(a.end(), {"--key-seed", std::to_string(*cfg.key_seed)});
  if (!cfg.key_mode.empty()) a.insert(a.end(), {"--key-mode", cfg.key_mode});
  if (cfg.wrong_key_distance > 0) a.insert(a.end(), {"--wrong-key-distance", std::to_string(cfg.wrong_key_distance)});
  if (cfg.energy) a.push_back("--energy");
  // Settings: those of every backend always; systemc and rtl ones when not
  // the default; finite-memory ones only with finite memory (run refuses
  // them where they would not act).
  RunConfig copy = cfg;
  const SettingsTarget target = settings_target(copy.backend_options, copy.clock_mhz);
  for (const Setting& st : settings()) {
    const json v = st.get(target);
    const bool pass = st.scope == SettingScope::kAllBackends ||
                      ((st.scope == SettingScope::kSystemc || st.scope == SettingScope::kRtl) && v != st.default_value) ||
                      (st.scope == SettingScope::kFiniteMemory && !cfg.backend_options.memory.ideal);
    if (!pass) continue;
    if (st.type == SettingType::kBool) {
      if (v.get<bool>()) a.push_back(st.flag());
    } else {
      a.insert(a.end(), {st.flag(), v.is_string() ? v.get<std::string>() : v.is_number_float() ? fmt_double(v.get<double>())
                                                                                               : v.dump()});
    }
  }
  return a;
}

}  // namespace keymac
