#include "traces/vcd_to_saif.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"
#include "traces/saif_tree.h"

namespace keymac::traces {

namespace {

// Caps on what a VCD may ask for (docs/RELIABILITY.md): a 119-byte file
// declaring a 10^8-bit $var is refused at the declaration, not allocated.
constexpr int64_t kMaxVarWidth = int64_t(1) << 20;     // bits of one $var
constexpr uint64_t kMaxSelectedBits = uint64_t(1) << 23;  // bits of all selected nets
constexpr size_t kMaxScopeDepth = 1024;                // nested $scope
constexpr size_t kMaxToken = (size_t(1) << 20) + 64;   // longest token (a full-width vector value)

// Whitespace-separated tokens from a file read in 64 KiB chunks.
class Tokenizer {
 public:
  explicit Tokenizer(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "rb")) {
    if (!f_) throw Error(path + ": cannot open VCD file");
    buf_.resize(1 << 16);
  }
  ~Tokenizer() {
    if (f_) std::fclose(f_);
  }
  bool next(std::string& tok) {
    tok.clear();
    for (;;) {
      if (pos_ == len_ && !fill()) return !tok.empty();
      const char c = buf_[pos_++];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (c == '\n') ++line_;
        if (!tok.empty()) return true;
      } else {
        if (tok.size() >= kMaxToken) fail("token longer than " + std::to_string(kMaxToken) + " characters");
        tok += c;
      }
    }
  }
  // Skips to the next "$end" token.
  void skip_section() {
    std::string t;
    while (next(t))
      if (t == "$end") return;
    fail("section without $end");
  }
  // One line: control characters from the file shown as '?', long tokens cut.
  // `at`: the line the offending construct started on (0: the current line).
  [[noreturn]] void fail(const std::string& what, uint64_t at = 0) const {
    std::string w;
    for (char c : what.substr(0, 200)) w += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
    throw Error(path_ + ":" + std::to_string(at ? at : line_) + ": " + w + (what.size() > 200 ? "..." : ""));
  }
  uint64_t line() const { return line_; }

 private:
  bool fill() {
    len_ = std::fread(buf_.data(), 1, buf_.size(), f_);
    pos_ = 0;
    return len_ > 0;
  }
  std::string path_;
  std::FILE* f_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t line_ = 1;
};

struct BitState {
  char v = 'x';
  uint64_t since = 0, t0 = 0, t1 = 0, tx = 0, tc = 0;
};

struct ScopeNode {
  std::string name;
  int parent = -1;     // -1: top level
  size_t depth = 1;    // 1 for a top-level scope
  bool prefix = true;  // its path so far agrees with the selected scope
  bool generate = false;  // a generate block (not a module instance)
};

struct Var {
  int scope = -1;  // ScopeNode index, -1: outside any $scope
  std::string name;
  bool ranged = false;
  int64_t msb = 0, lsb = 0;
  int code = -1;
};

struct Code {
  int width = 0;
  bool used = false;
  std::vector<BitState> bits;  // index 0 = rightmost character (LSB position)
};

inline char norm(char c) {
  switch (c) {
    case '0': return '0';
    case '1': return '1';
    case 'z': case 'Z': return 'z';
    default: return 'x';
  }
}

inline void change(BitState& b, char nv, uint64_t now) {
  if (b.v == nv) return;
  const uint64_t dt = now - b.since;
  if (b.v == '0') b.t0 += dt;
  else if (b.v == '1') b.t1 += dt;
  else b.tx += dt;
  if ((b.v == '0' && nv == '1') || (b.v == '1' && nv == '0')) ++b.tc;
  b.v = nv;
  b.since = now;
}

std::vector<std::string> split_scope(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '.' || c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool parse_range(const std::string& r, int64_t& msb, int64_t& lsb) {
  if (r.size() < 3 || r.front() != '[' || r.back() != ']') return false;
  const std::string in = r.substr(1, r.size() - 2);
  try {
    const auto c = in.find(':');
    if (c == std::string::npos) {
      msb = lsb = std::stoll(in);
    } else {
      msb = std::stoll(in.substr(0, c));
      lsb = std::stoll(in.substr(c + 1));
    }
  } catch (...) {
    return false;
  }
  return true;
}

bool is_generate_scope(const std::string& kind, const std::string& name) {
  if (kind == "begin" || kind == "generate" || kind == "fork") return true;
  return name.rfind("g_", 0) == 0 || name.rfind("unnamedblk", 0) == 0;
}

}  // namespace

SaifNames parse_saif_names(const std::string& s) {
  if (s == "nested") return SaifNames::kNested;
  if (s == "yosys-hier") return SaifNames::kYosysHier;
  if (s == "yosys-flat") return SaifNames::kYosysFlat;
  throw Error("--names: '" + s + "' is not nested, yosys-hier or yosys-flat");
}

VcdToSaifResult vcd_to_saif(const std::string& vcd_path, std::ostream& saif, const std::string& scope,
                            const std::string& timescale_override, SaifNames names) {
  if (!timescale_override.empty()) {
    const auto sp = timescale_override.find(' ');
    const std::string n = timescale_override.substr(0, sp), u = sp == std::string::npos ? "" : timescale_override.substr(sp + 1);
    if ((n != "1" && n != "10" && n != "100") ||
        (u != "s" && u != "ms" && u != "us" && u != "ns" && u != "ps" && u != "fs"))
      throw Error("timescale '" + timescale_override + "' is not \"<1|10|100> <s|ms|us|ns|ps|fs>\"");
  }
  std::vector<std::string> sel = split_scope(scope);
  Tokenizer tk(vcd_path);
  std::vector<ScopeNode> scopes;
  int cur_scope = -1;
  size_t depth = 0;
  std::unordered_set<std::string> top_seen;
  std::vector<Var> vars;
  std::vector<Code> codes;
  std::unordered_map<std::string, int> code_of;
  std::string timescale = "1 ns";
  std::vector<std::string> tops;
  std::string t;
  bool defs_done = false;
  while (!defs_done && tk.next(t)) {
    if (t == "$timescale") {
      std::string ts;
      while (tk.next(t) && t != "$end") ts += t;
      size_t i = 0;
      while (i < ts.size() && std::isdigit(static_cast<unsigned char>(ts[i]))) ++i;
      if (i == 0 || i == ts.size()) tk.fail("bad $timescale '" + ts + "'");
      timescale = ts.substr(0, i) + " " + ts.substr(i);
    } else if (t == "$scope") {
      const uint64_t at = tk.line();
      std::string kind, name;
      if (!tk.next(kind) || !tk.next(name)) tk.fail("truncated $scope");
      if (name == "$end") tk.fail("$scope without a name");
      tk.skip_section();
      if (depth >= kMaxScopeDepth) tk.fail("$scope nested deeper than " + std::to_string(kMaxScopeDepth) + " levels", at);
      if (cur_scope < 0 && top_seen.insert(name).second) tops.push_back(name);
      scopes.push_back(ScopeNode{name, cur_scope, depth + 1, true, is_generate_scope(kind, name)});
      cur_scope = static_cast<int>(scopes.size() - 1);
      ++depth;
    } else if (t == "$upscope") {
      if (cur_scope < 0) tk.fail("$upscope without $scope");
      cur_scope = scopes[static_cast<size_t>(cur_scope)].parent;
      --depth;
      tk.skip_section();
    } else if (t == "$var") {
      const uint64_t at = tk.line();
      std::vector<std::string> f;
      while (tk.next(t) && t != "$end") f.push_back(t);
      if (f.size() < 4) tk.fail("malformed $var", at);
      Var v;
      v.scope = cur_scope;
      int width = 0;
      try {
        width = std::stoi(f[1]);
      } catch (...) {
        tk.fail("bad $var width '" + f[1].substr(0, 40) + "'", at);
      }
      if (width < 1) tk.fail("bad $var width '" + f[1].substr(0, 40) + "'", at);
      if (width > kMaxVarWidth)
        tk.fail("$var width " + std::to_string(width) + " is over the cap of " + std::to_string(kMaxVarWidth) + " bits", at);
      v.name = f[3];
      std::string range = f.size() > 4 ? f[4] : "";
      const auto br = v.name.find('[');
      if (range.empty() && br != std::string::npos && br > 0) {
        range = v.name.substr(br);
        v.name = v.name.substr(0, br);
      }
      if (!range.empty() && parse_range(range, v.msb, v.lsb)) {
        v.ranged = true;
      } else if (width > 1) {
        v.ranged = true;
        v.msb = width - 1;
        v.lsb = 0;
      }
      auto it = code_of.find(f[2]);
      if (it == code_of.end()) {
        it = code_of.emplace(f[2], static_cast<int>(codes.size())).first;
        codes.push_back(Code{width, false, {}});
      }
      v.code = it->second;
      vars.push_back(std::move(v));
    } else if (t == "$enddefinitions") {
      tk.skip_section();
      defs_done = true;
    } else if (!t.empty() && t[0] == '$') {
      tk.skip_section();  // $date, $version, $comment, ...
    } else {
      tk.fail("unexpected '" + t + "' in the VCD header");
    }
  }
  if (!defs_done) tk.fail("no $enddefinitions");

  // Scope selection: a path from the top, else the one path ending in it
  // (`km_array` finds SystemC.km_array). Paths are walked up the parent links
  // (depth is capped, so each walk is bounded).
  auto path_of = [&](int id) {
    std::vector<std::string> p(scopes[static_cast<size_t>(id)].depth);
    for (int i = id; i >= 0; i = scopes[static_cast<size_t>(i)].parent)
      p[scopes[static_cast<size_t>(i)].depth - 1] = scopes[static_cast<size_t>(i)].name;
    return p;
  };
  if (!sel.empty()) {
    bool from_top = false;
    std::vector<std::vector<std::string>> found;
    for (size_t id = 0; id < scopes.size(); ++id) {
      const ScopeNode& n = scopes[id];
      if (n.depth < sel.size() || n.name != sel.back()) continue;
      const auto p = path_of(static_cast<int>(id));
      if (!std::equal(sel.begin(), sel.end(), p.end() - static_cast<std::ptrdiff_t>(sel.size()))) continue;
      if (n.depth == sel.size()) {
        from_top = true;
        break;
      }
      if (std::find(found.begin(), found.end(), p) == found.end()) found.push_back(p);
    }
    if (!from_top && found.size() > 1) {
      std::string list;
      for (const auto& f : found) {
        std::string p;
        for (const auto& x : f) p += (p.empty() ? "" : ".") + x;
        list += (list.empty() ? "" : ", ") + p;
      }
      throw Error(vcd_path + ": scope '" + scope + "' is ambiguous (" + list + "); give the full path");
    }
    if (!from_top && found.size() == 1) sel = found[0];
  }
  // Parents come before their children: one forward pass marks the paths that agree with `sel`.
  for (auto& n : scopes) {
    const bool parent_ok = n.parent < 0 || scopes[static_cast<size_t>(n.parent)].prefix;
    n.prefix = parent_ok && (n.depth > sel.size() || sel[n.depth - 1] == n.name);
  }
  // A var is selected when its scope lies at or below `sel`.
  auto selected = [&](const Var& v) {
    if (v.scope < 0) return sel.empty();
    const ScopeNode& n = scopes[static_cast<size_t>(v.scope)];
    return n.prefix && n.depth >= sel.size();
  };
  size_t nsel = 0;
  uint64_t bits_total = 0;
  for (const auto& v : vars) {
    if (!selected(v)) continue;
    Code& c = codes[static_cast<size_t>(v.code)];
    if (!c.used) {
      bits_total += static_cast<uint64_t>(c.width);
      if (bits_total > kMaxSelectedBits)
        throw Error(vcd_path + ": the selected nets have more than " + std::to_string(kMaxSelectedBits) +
                    " bits (the cap); choose a smaller --scope");
      c.bits.resize(static_cast<size_t>(c.width));
    }
    c.used = true;
    ++nsel;
  }
  if (nsel == 0) {
    std::string list;
    for (auto& x : tops) list += (list.empty() ? "" : ", ") + x;
    throw Error(vcd_path + ": no signals under scope '" + scope + "' (top-level scopes: " + list + ")");
  }
  // Drop unselected codes from the lookup (their changes are skipped).
  for (auto it = code_of.begin(); it != code_of.end();)
    it = codes[static_cast<size_t>(it->second)].used ? std::next(it) : code_of.erase(it);

  // Value changes.
  bool have_time = false;
  uint64_t start = 0, now = 0;
  auto at = [&](const std::string& id) -> Code* {
    auto it = code_of.find(id);
    return it == code_of.end() ? nullptr : &codes[static_cast<size_t>(it->second)];
  };
  std::string id;
  while (tk.next(t)) {
    const char c = t[0];
    if (c == '#') {
      uint64_t tt = 0;
      try {
        tt = std::stoull(t.substr(1));
      } catch (...) {
        tk.fail("bad timestamp '" + t + "'");
      }
      if (have_time && tt < now) tk.fail("time goes backwards at '" + t + "'");
      if (!have_time) {
        start = tt;
        have_time = true;
        for (auto& cd : codes)
          for (auto& b : cd.bits) b.since = tt;
      }
      now = tt;
    } else if (c == '0' || c == '1' || c == 'x' || c == 'X' || c == 'z' || c == 'Z') {
      if (t.size() < 2) tk.fail("scalar change without identifier");
      if (Code* cd = at(t.substr(1))) change(cd->bits[0], norm(c), now);
    } else if (c == 'b' || c == 'B') {
      if (!tk.next(id)) tk.fail("vector change without identifier");
      Code* cd = at(id);
      if (!cd) continue;
      const size_t n = t.size() - 1, w = cd->bits.size();
      const char first = n ? norm(t[1]) : 'x';
      const char ext = first == '1' ? '0' : first;
      for (size_t k = 0; k < w; ++k) {
        const char v = k < n ? norm(t[t.size() - 1 - k]) : ext;
        change(cd->bits[k], v, now);
      }
    } else if (c == 'r' || c == 'R' || c == 's' || c == 'S') {
      if (!tk.next(id)) tk.fail("real/string change without identifier");
    } else if (t == "$comment") {
      tk.skip_section();
    } else if (t == "$dumpvars" || t == "$dumpall" || t == "$dumpon" || t == "$dumpoff" || t == "$end") {
      // Section markers: the values inside are ordinary changes ($dumpoff lists x).
    } else {
      tk.fail("unexpected '" + t + "'");
    }
  }
  const uint64_t end = now;
  for (auto& cd : codes)
    for (auto& b : cd.bits) {
      const uint64_t dt = end - b.since;
      if (b.v == '0') b.t0 += dt;
      else if (b.v == '1') b.t1 += dt;
      else b.tx += dt;
      b.since = end;
    }

  // Instance tree: rooted at the selected scope (or at every top scope).
  std::vector<std::unique_ptr<SaifInstance>> roots;
  auto root_for = [&](const std::string& name) -> SaifInstance& {
    for (auto& r : roots)
      if (r->name == name) return *r;
    roots.push_back(std::make_unique<SaifInstance>());
    roots.back()->name = name;
    return *roots.back();
  };
  VcdToSaifResult res;
  const size_t base = sel.empty() ? 0 : sel.size() - 1;  // depth - 1 of the root instances
  // Instance of each scope node, made once (depth is capped, so the recursion is bounded).
  std::vector<SaifInstance*> inst_of(scopes.size(), nullptr);
  std::function<SaifInstance*(int)> instance = [&](int id) -> SaifInstance* {
    SaifInstance*& memo = inst_of[static_cast<size_t>(id)];
    if (!memo) {
      const ScopeNode& n = scopes[static_cast<size_t>(id)];
      memo = n.depth - 1 == base ? &root_for(n.name) : &instance(n.parent)->child(n.name);
    }
    return memo;
  };
  for (const auto& v : vars) {
    if (!selected(v)) continue;
    if (v.scope < 0) throw Error(vcd_path + ": $var " + v.name + " outside any $scope");
    SaifInstance* inst = nullptr;  // made only for the naming in use (instances are created on lookup)
    std::string net_name = v.name;
    if (names == SaifNames::kNested) {
      inst = instance(v.scope);
    } else {
      // Yosys names: generate blocks (or, flat, the whole path below the root)
      // become a dotted prefix of the net or instance name.
      std::vector<int> chain(scopes[static_cast<size_t>(v.scope)].depth);
      for (int i = v.scope; i >= 0; i = scopes[static_cast<size_t>(i)].parent)
        chain[scopes[static_cast<size_t>(i)].depth - 1] = i;
      inst = instance(chain[base]);
      std::string prefix;
      for (size_t i = base + 1; i < chain.size(); ++i) {
        const ScopeNode& n = scopes[static_cast<size_t>(chain[i])];
        if (names == SaifNames::kYosysFlat || n.generate) {
          prefix += n.name + ".";
        } else {
          inst = &inst->child(prefix + n.name);
          prefix.clear();
        }
      }
      net_name = prefix + v.name;
    }
    const Code& cd = codes[static_cast<size_t>(v.code)];
    for (size_t k = 0; k < cd.bits.size(); ++k) {
      const BitState& b = cd.bits[k];
      SaifNet n;
      // Yosys writes a one-bit [0:0] vector as a scalar wire/port (no range),
      // so with Yosys names its net is the plain name (OpenSTA finds the pin).
      const bool yosys_scalar = names != SaifNames::kNested && cd.bits.size() == 1 && v.msb == 0 && v.lsb == 0;
      if (v.ranged && !yosys_scalar) {
        const int64_t idx = v.msb >= v.lsb ? v.lsb + static_cast<int64_t>(k) : v.lsb - static_cast<int64_t>(k);
        n.name = saif_bit_name(net_name, idx);
      } else {
        n.name = saif_escape(net_name);
      }
      n.t0 = b.t0;
      n.t1 = b.t1;
      n.tx = b.tx;
      n.tc = b.tc;
      inst->nets.push_back(std::move(n));
      ++res.nets;
    }
  }
  if (!timescale_override.empty()) timescale = timescale_override;
  SaifHeader h;
  h.design = sel.empty() ? "" : sel.back();
  h.timescale = timescale;
  h.duration = end - start;
  std::vector<const SaifInstance*> tp;
  for (auto& r : roots) tp.push_back(r.get());
  write_saif(saif, h, tp);
  res.duration = h.duration;
  res.timescale = timescale;
  return res;
}

VcdToSaifResult vcd_to_saif_file(const std::string& vcd_path, const std::string& saif_path,
                                 const std::string& scope, const std::string& timescale, SaifNames names) {
  std::ostringstream os;
  auto r = vcd_to_saif(vcd_path, os, scope, timescale, names);
  write_file_atomic(saif_path, os.str());
  return r;
}

}  // namespace keymac::traces
