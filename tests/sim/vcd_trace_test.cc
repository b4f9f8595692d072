// --vcd: a windowed VCD of the array boundary, read back by a small
// independent VCD checker and converted by gtkwave's vcd2fst.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "base/spawn.h"
#include "host/backend/systemc_backend.h"
#include "sim/core/array_ports.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

// Minimal VCD reader: declarations and value changes per timestamp.
struct Vcd {
  std::map<std::string, std::string> id_of;  // name -> id
  std::map<std::string, int> width;          // id -> width
  std::map<std::string, int> declared;       // name -> number of $var declarations
  std::vector<std::pair<uint64_t, std::map<std::string, std::string>>> steps;  // time -> id -> value
  std::string timescale;
};

Vcd parse_vcd(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f) << path;
  Vcd v;
  std::string tok;
  std::vector<std::string> scope;
  bool defs_done = false;
  std::map<std::string, std::string> cur;
  uint64_t t = 0;
  bool have_t = true;  // values before the first timestamp ($dumpvars) form step 0
  while (f >> tok) {
    if (!defs_done) {
      if (tok == "$scope") {
        std::string kind, name, end;
        f >> kind >> name >> end;
        scope.push_back(name);
      } else if (tok == "$upscope") {
        f >> tok;
        scope.pop_back();
      } else if (tok == "$var") {
        std::string type, id, name, rest;
        int w;
        f >> type >> w >> id >> name;
        while (f >> rest && rest != "$end") {}
        std::string full;
        for (auto& s : scope) full += s + ".";
        v.id_of[full + name] = id;
        ++v.declared[full + name];
        v.width[id] = w;
      } else if (tok == "$timescale") {
        std::string s;
        while (f >> s && s != "$end") v.timescale += s;
      } else if (tok == "$enddefinitions") {
        f >> tok;
        defs_done = true;
      }
      continue;
    }
    if (tok[0] == '$') continue;  // $dumpvars / $end / $comment bodies
    if (tok[0] == '#') {
      const uint64_t nt = std::stoull(tok.substr(1));
      if (!cur.empty() || !v.steps.empty()) {
        EXPECT_TRUE(v.steps.empty() ? nt >= t : nt > t) << "timestamps must increase";
        v.steps.push_back({t, cur});
      }
      t = nt;
      have_t = true;
      cur.clear();
    } else if (tok[0] == 'b' || tok[0] == 'r') {
      std::string id;
      f >> id;
      EXPECT_TRUE(v.width.count(id)) << "undeclared id " << id;
      EXPECT_LE(int(tok.size()) - 1, v.width[id]) << "value wider than its variable";
      for (char ch : tok.substr(1)) EXPECT_TRUE(ch == '0' || ch == '1') << tok;
      cur[id] = tok.substr(1);
    } else if (tok[0] == '0' || tok[0] == '1') {
      const std::string id = tok.substr(1);
      EXPECT_TRUE(v.width.count(id)) << "undeclared id " << id;
      cur[id] = tok.substr(0, 1);
    } else if (tok == "All" || tok == "initial") {
      // inside a $comment; skip words until $end
      while (f >> tok && tok != "$end") {}
    }
  }
  if (have_t) v.steps.push_back({t, cur});
  return v;
}

TEST(VcdTraceTest, WindowedVcdHasTheBoundarySignalsAndConvertsToFst) {
  const std::string path = ::testing::TempDir() + "keymac_trace_test.vcd";
  std::remove(path.c_str());
  const Geometry g = Geometry::make(4, 3);
  BackendOptions o;
  o.trace.vcd_path = path;
  o.trace.window_from = 0;
  o.trace.window_to = 59;  // key load (12 cycles) + first 48 layer cycles
  uint64_t layer_cycles = 0;
  {
    SystemcBackend b(g, o);
    const Key key = Key::seeded_random(g, 3);
    SerialKeySource ks(key);
    b.reset(&ks);
    std::mt19937_64 rng(1);
    GemmShape s{10, 6, 5};
    auto x = test::random_s8(size_t(s.m * s.k), rng, 1, 100);
    auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
    std::vector<int32_t> y(size_t(s.m * s.n));
    for (int rep = 0; rep < 20; ++rep)  // much longer than the window
      layer_cycles += b.run_gemm(GemmJob{"l", s, x.data(), w.data()}, y.data()).cycles;
  }
  const Vcd v = parse_vcd(path);
  for (const char* n : {"clk_i", "key_valid_i", "key_bit_i", "key_sealed_o", "key_err_o", "w_valid_i",
                        "w_row_i", "w_bank_i", "w_data_i", "a_valid_i", "a_bank_i", "a_data_i",
                        "psum_valid_o", "psum_data_o"})
    EXPECT_TRUE(v.id_of.count(std::string("SystemC.km_array.") + n)) << n;
  const std::string wd = v.id_of.at("SystemC.km_array.w_data_i");
  EXPECT_EQ(v.width.at(wd), 8 * 3);
  EXPECT_EQ(v.width.at(v.id_of.at("SystemC.km_array.a_data_i")), 8 * 4);
  EXPECT_EQ(v.width.at(v.id_of.at("SystemC.km_array.psum_data_o")), 32 * 3);
  EXPECT_GT(layer_cycles, 60u);
  // Every port of the table (sim/core/array_ports.h) exactly once, at its
  // width, and nothing else in the array's scope.
  size_t in_scope = 0;
  for (const auto& [name, n] : v.declared) in_scope += name.rfind("SystemC.km_array.", 0) == 0 ? size_t(n) : 0;
  EXPECT_EQ(in_scope, kArrayPortCount);
  for (const PortDesc& p : array_ports(4, 3)) {
    const std::string name = std::string("SystemC.km_array.") + p.name;
    EXPECT_EQ(v.declared.count(name) ? v.declared.at(name) : 0, 1) << name;
    if (v.id_of.count(name)) {
      EXPECT_EQ(v.width.at(v.id_of.at(name)), p.width) << name;
    }
  }

  // Replay: key_sealed_o must rise exactly at cycle 12 (after R*C key bits),
  // and the clock must toggle exactly twice per cycle over 60 cycles only.
  const std::string clk = v.id_of.at("SystemC.km_array.clk_i");
  const std::string sealed = v.id_of.at("SystemC.km_array.key_sealed_o");
  int rises = 0;
  int64_t sealed_at = -1;
  for (const auto& [t, ch] : v.steps) {
    auto c = ch.find(clk);
    if (c != ch.end() && c->second == "1") ++rises;
    auto s = ch.find(sealed);
    if (s != ch.end() && s->second == "1" && sealed_at < 0) sealed_at = rises - 1;
  }
  EXPECT_EQ(rises, 60);
  EXPECT_EQ(sealed_at, 12);
  // Time is cycle x period (default 1000 ps), the file spans exactly the
  // window 0..59, whatever the SystemC kernel's own time is.
  EXPECT_EQ(v.timescale, "1ps");
  ASSERT_FALSE(v.steps.empty());
  EXPECT_EQ(v.steps.front().first, 0u);
  EXPECT_EQ(v.steps.back().first, 60u * 1000);
  for (const auto& [t, ch] : v.steps) {
    auto s = ch.find(sealed);
    if (s != ch.end() && s->second == "1") {
      EXPECT_EQ(t, 12u * 1000) << "key_sealed_o rises at cycle 12";
      break;
    }
  }

  const std::string fst = ::testing::TempDir() + "keymac_trace_test.fst";
  std::remove(fst.c_str());
  ASSERT_EQ(run_tool({KEYMAC_VCD2FST, path, fst}, {"/dev/null", "/dev/null", ""}), 0) << KEYMAC_VCD2FST << " " << path;
  std::ifstream ff(fst, std::ios::binary | std::ios::ate);
  EXPECT_GT(int64_t(ff.tellg()), 0);
}

}  // namespace
}  // namespace keymac
