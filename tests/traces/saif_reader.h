// An independent SAIF reader for the tests: a generic S-expression parser
// (it knows nothing of keymac's writer) that collects the header and, per net
// path "inst/inst/net", the (T0 T1 TX TC IG) values.
#pragma once
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace saif_reader {

struct Node {
  std::string atom;  // non-empty for an atom or string
  std::vector<Node> kids;
  bool list = false;
};

struct NetStats {
  uint64_t t0 = 0, t1 = 0, tx = 0, tc = 0, ig = 0;
};

struct Saif {
  std::map<std::string, std::string> header;  // SAIFVERSION, DIRECTION, DESIGN, DURATION, ...
  std::map<std::string, NetStats> nets;       // "top/sub/net" (names unescaped)
};

inline std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (c == '(' || c == ')') { out.emplace_back(1, c); ++i; continue; }
    std::string t;
    if (c == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') t += s[i++];
      ++i;
      out.push_back("\"" + t);
      continue;
    }
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(' && s[i] != ')') {
      if (s[i] == '\\' && i + 1 < s.size()) { t += s[i + 1]; i += 2; continue; }  // unescape
      t += s[i++];
    }
    out.push_back(t);
  }
  return out;
}

inline Node parse(const std::vector<std::string>& t, size_t& i) {
  Node n;
  if (t.at(i) == "(") {
    n.list = true;
    ++i;
    while (t.at(i) != ")") n.kids.push_back(parse(t, i));
    ++i;
  } else {
    n.atom = t[i][0] == '"' ? t[i].substr(1) : t[i];
    ++i;
  }
  return n;
}

inline void walk(const Node& n, const std::string& path, Saif& out) {
  if (!n.list || n.kids.empty()) return;
  const std::string& head = n.kids[0].atom;
  if (head == "INSTANCE") {
    const std::string p = path.empty() ? n.kids.at(1).atom : path + "/" + n.kids.at(1).atom;
    for (size_t k = 2; k < n.kids.size(); ++k) walk(n.kids[k], p, out);
  } else if (head == "NET") {
    for (size_t k = 1; k < n.kids.size(); ++k) {
      const Node& net = n.kids[k];
      NetStats s;
      for (size_t j = 1; j < net.kids.size(); ++j) {
        const Node& v = net.kids[j];
        const uint64_t x = std::stoull(v.kids.at(1).atom);
        const std::string& f = v.kids.at(0).atom;
        if (f == "T0") s.t0 = x;
        else if (f == "T1") s.t1 = x;
        else if (f == "TX") s.tx = x;
        else if (f == "TC") s.tc = x;
        else if (f == "IG") s.ig = x;
      }
      out.nets[path + "/" + net.kids.at(0).atom] = s;
    }
  } else if (head == "SAIFILE") {
    for (size_t k = 1; k < n.kids.size(); ++k) walk(n.kids[k], path, out);
  } else {
    std::string v;
    for (size_t k = 1; k < n.kids.size(); ++k) v += (k > 1 ? " " : "") + n.kids[k].atom;
    out.header[head] = v;
  }
}

inline Saif read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto t = tokens(ss.str());
  size_t i = 0;
  Saif s;
  walk(parse(t, i), "", s);
  return s;
}

}  // namespace saif_reader
