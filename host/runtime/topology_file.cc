#include "host/runtime/topology_file.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}
std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
// Comma-separated fields, trimmed; trailing empty fields dropped.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  for (std::string x; std::getline(ss, x, ',');) f.push_back(trim(x));
  if (!line.empty() && line.back() == ',') f.push_back("");
  while (!f.empty() && f.back().empty()) f.pop_back();
  return f;
}
bool is_int(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
int64_t positive(const std::string& s, const std::string& where, const std::string& what) {
  if (!is_int(s) || s.size() > 12 || std::stoll(s) < 1)
    throw Error(where + ": " + what + " '" + s + "' is not a positive integer");
  return std::stoll(s);
}

}  // namespace

Topology read_topology(const std::string& path) {
  const std::string text = read_text_file(path, "topology");
  Topology t;
  t.path = path;
  std::vector<std::pair<int, std::string>> lines;
  {
    std::stringstream ss(text);
    int n = 0;
    for (std::string l; std::getline(ss, l);) {
      ++n;
      l = trim(l);
      if (!l.empty() && l[0] != '#') lines.emplace_back(n, l);
    }
  }
  if (lines.empty()) throw Error(path + ": empty topology (no layers)");
  const std::vector<std::string> head = fields(lines[0].second);
  const std::string h = lower(lines[0].second);
  size_t first = 1;
  if (h.find("ifmap height") != std::string::npos) {
    t.format = "conv";
  } else if (head.size() >= 4 && lower(head[1]) == "m" && lower(head[2]) == "n" && lower(head[3]) == "k") {
    t.format = "gemm";
  } else if (head.size() == 3 && is_int(head[0]) && is_int(head[1]) && is_int(head[2])) {
    t.format = "mkn";
    first = 0;
  } else {
    throw Error(path + ":" + std::to_string(lines[0].first) +
                ": not a SCALE-Sim conv topology (header with 'IFMAP Height'), a SCALE-Sim GEMM topology "
                "(header 'name, M, N, K') or a plain 'M,K,N' list");
  }
  for (size_t li = first; li < lines.size(); ++li) {
    const std::string where = path + ":" + std::to_string(lines[li].first);
    auto f = fields(lines[li].second);
    if (f.empty()) continue;  // a row of empty fields (",,,,,,,," in several SCALE-Sim topologies)
    if (t.format == "mkn") {
      if (f.size() != 3) throw Error(where + ": expected M,K,N (three integers)");
      const GemmShape s{positive(f[0], where, "M"), positive(f[1], where, "K"), positive(f[2], where, "N")};
      t.layers.emplace_back("gemm" + std::to_string(t.layers.size()), s);
    } else if (t.format == "gemm") {
      if (f.size() < 4) throw Error(where + ": expected name, M, N, K");
      const GemmShape s{positive(f[1], where, "M"), positive(f[3], where, "K"), positive(f[2], where, "N")};
      t.layers.emplace_back(f[0], s);
    } else {
      // SCALE-Sim drops a row's last field (the one after the trailing comma): a comment there is ignored.
      if (f.size() > 8 && !is_int(f.back())) f.pop_back();
      if (f.size() < 8 || f.size() > 9)
        throw Error(where + ": expected name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                            "Num Filter, Strides[, Stride width]");
      traces::ScaleSimConv v;
      v.ifmap_h = positive(f[1], where, "IFMAP Height");
      v.ifmap_w = positive(f[2], where, "IFMAP Width");
      v.filter_h = positive(f[3], where, "Filter Height");
      v.filter_w = positive(f[4], where, "Filter Width");
      v.channels = positive(f[5], where, "Channels");
      const int64_t filters = positive(f[6], where, "Num Filter");
      v.stride_h = positive(f[7], where, "Strides");
      v.stride_w = f.size() == 9 ? positive(f[8], where, "Stride width") : v.stride_h;
      if (v.filter_h > v.ifmap_h || v.filter_w > v.ifmap_w)
        throw Error(where + ": filter larger than the IFMAP");
      v.out_h = (v.ifmap_h - v.filter_h + 2 * v.stride_h - 1) / v.stride_h;  // ceil((H - FH + S) / S)
      v.out_w = (v.ifmap_w - v.filter_w + 2 * v.stride_w - 1) / v.stride_w;
      v.k_order = traces::ScaleSimConv::KOrder::kScaleSim;
      const int copies = f[0].find("DP") != std::string::npos ? static_cast<int>(v.channels) : 1;
      if (copies > 1) v.channels = 1;
      for (int c = 0; c < copies; ++c) {
        const std::string name = copies > 1 ? f[0] + "Channel_" + std::to_string(c) : f[0];
        t.layers.emplace_back(name, GemmShape{v.out_h * v.out_w, v.filter_h * v.filter_w * v.channels, filters}, v);
      }
    }
  }
  if (t.layers.empty()) throw Error(path + ": no layers after the header");
  return t;
}

ScaleSimConfig read_scalesim_config(const std::string& path) {
  const std::string text = read_text_file(path, "SCALE-Sim config");
  std::map<std::string, std::pair<int, std::string>> kv;
  std::stringstream ss(text);
  int n = 0;
  for (std::string l; std::getline(ss, l);) {
    ++n;
    l = trim(l);
    if (l.empty() || l[0] == '#' || l[0] == ';' || l[0] == '[') continue;
    const auto p = l.find_first_of(":=");
    if (p == std::string::npos) throw Error(path + ":" + std::to_string(n) + ": expected 'key: value'");
    kv[lower(trim(l.substr(0, p)))] = {n, trim(l.substr(p + 1))};
  }
  ScaleSimConfig c;
  c.path = path;
  auto get = [&](const char* key) -> const std::pair<int, std::string>* {
    auto it = kv.find(key);
    return it == kv.end() ? nullptr : &it->second;
  };
  auto num = [&](const char* key, int64_t& out, bool allow_zero) {
    if (const auto* v = get(key)) {
      const std::string where = path + ":" + std::to_string(v->first);
      if (!is_int(v->second) || v->second.size() > 12 || (!allow_zero && std::stoll(v->second) < 1))
        throw Error(where + ": " + key + " '" + v->second + "' is not a " + (allow_zero ? "non-negative" : "positive") +
                    " integer");
      out = std::stoll(v->second);
    }
  };
  if (const auto* v = get("run_name")) c.run_name = v->second;
  int64_t rows = 16, cols = 16;
  num("arrayheight", rows, false);
  num("arraywidth", cols, false);
  c.array = Geometry::make(static_cast<int>(std::min<int64_t>(rows, 1 << 20)),
                           static_cast<int>(std::min<int64_t>(cols, 1 << 20)), path + ": ArrayHeight x ArrayWidth");
  if (const auto* v = get("dataflow")) {
    c.dataflow = lower(v->second);
    if (c.dataflow != "ws")
      throw Error(path + ":" + std::to_string(v->first) + ": Dataflow '" + v->second +
                  "' not supported: keymac's array is weight-stationary (ws)");
  }
  num("ifmapoffset", c.ifmap_offset, true);
  num("filteroffset", c.filter_offset, true);
  num("ofmapoffset", c.ofmap_offset, true);
  num("ifmapsramszkb", c.ifmap_sram_kb, false);
  num("filtersramszkb", c.filter_sram_kb, false);
  num("ofmapsramszkb", c.ofmap_sram_kb, false);
  if (const auto* v = get("interfacebandwidth")) {
    const std::string m = lower(v->second);
    if (m != "calc" && m != "user")
      throw Error(path + ":" + std::to_string(v->first) + ": InterfaceBandwidth '" + v->second + "' is not CALC or USER");
    c.user_bandwidth = m == "user";
  }
  if (const auto* v = get("bandwidth")) {
    const std::string first_bw = trim(v->second.substr(0, v->second.find(',')));
    try {
      size_t used = 0;
      c.bandwidth = std::stod(first_bw, &used);
      if (used != first_bw.size() || !(c.bandwidth > 0)) throw 0;
    } catch (...) {
      throw Error(path + ":" + std::to_string(v->first) + ": Bandwidth '" + v->second + "' is not a positive number");
    }
  }
  return c;
}

}  // namespace keymac
