// Activity counts, the energy table and Accelergy action counts
// (docs/TRACES.md). Energies are checked against hand calculations from the
// Horowitz figures written out here, not from EnergyTable's defaults.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

#include "host/backend/functional_backend.h"
#include "host/energy/activity_probe.h"
#include "base/spawn.h"
#include "host/energy/energy_model.h"
#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"

namespace keymac {
namespace {

struct Gemm {
  Geometry g = Geometry::make(4, 4);
  GemmShape s{4, 6, 5};
  std::vector<int8_t> x, w, wl;
  Key key{Geometry::make(4, 4)};
  Gemm() {
    std::mt19937 rng(99);
    std::uniform_int_distribution<int> d(-127, 127), z(0, 3);
    for (int64_t i = 0; i < s.m * s.k; ++i) x.push_back(z(rng) ? static_cast<int8_t>(d(rng)) : 0);
    for (int64_t i = 0; i < s.k * s.n; ++i) w.push_back(z(rng) ? static_cast<int8_t>(d(rng)) : 0);
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) key.set(r, c, z(rng) & 1);
    wl = w;
    lock_weights(wl.data(), s.k, s.n, key);
  }
  LayerActivity run(bool keyed) {
    ActivityProbe p(std::make_unique<FunctionalBackend>(g));
    const SerialKeySource src(key);
    p.reset(keyed ? &src : nullptr);
    std::vector<int32_t> y(static_cast<size_t>(s.m * s.n));
    p.run_gemm(GemmJob{"l", s, x.data(), keyed ? wl.data() : w.data()}, y.data());
    return p.layers().at(0);
  }
};

TEST(Energy, SmallGemmEnergyEqualsAHandCalculationFromTheTable) {
  Gemm t;
  const LayerActivity a = t.run(true);
  // 4x6x5 on 4x4: Kt = 2, Nt = 2, F = 4 folds, each 4 activation rows on 16 PEs.
  EXPECT_EQ(a.macs, 120u);
  EXPECT_EQ(a.array_macs, 4u * 4 * 16);
  uint64_t nonzero = 0, zero_useful = 0;
  for (int64_t m = 0; m < 4; ++m)
    for (int64_t k = 0; k < 6; ++k)
      for (int64_t n = 0; n < 5; ++n) {
        const bool nz = t.x[static_cast<size_t>(m * 6 + k)] != 0 && t.w[static_cast<size_t>(k * 5 + n)] != 0;
        nonzero += nz;
        zero_useful += !nz;
      }
  EXPECT_EQ(a.macs_zero_operand, zero_useful);
  EXPECT_EQ(a.array_macs_zero_operand, 256 - nonzero);
  // Ideal-schedule traffic: weights 2 x (4 + 2) rows read and written; inputs
  // written once per K-tile (2 x 4 rows), read once per fold (4 x 4); the
  // accumulator written per fold (16 rows), read-modify-written for kt = 1 (8)
  // and read out once per N-tile (8); DRAM reads K*N + M*K, writes 4*M*N.
  EXPECT_EQ(a.sram_weight_reads, 12u);
  EXPECT_EQ(a.sram_weight_writes, 12u);
  EXPECT_EQ(a.sram_input_writes, 8u);
  EXPECT_EQ(a.sram_input_reads, 16u);
  EXPECT_EQ(a.sram_accum_writes, 16u);
  EXPECT_EQ(a.sram_accum_reads, 16u);
  EXPECT_EQ(a.dram_read_bytes, 30u + 24u);
  EXPECT_EQ(a.dram_write_bytes, 80u);

  // Horowitz ISSCC 2014, 45 nm: mult 0.2, add 0.1, SRAM 10 pJ / 8 bytes,
  // DRAM 1.95 nJ / 8 bytes (mid-point of 1.3-2.6); key 1 XOR bit of 0.1/96
  // per PE operation (the default RTL's sign-magnitude PE, checked below).
  const double mac = 256 * (0.2 + 0.1);
  const double sram = (24 * 4 + 24 * 4 + 32 * 16) * (10.0 / 8);
  const double dram = 134 * (1950.0 / 8);
  const double key_xor = 256 * 1 * (0.1 / 96);
  const double key_load = 16 * (0.1 / 32) / 1;  // once per reset, 1 image per reset
  EnergyInputs in;
  in.geometry = t.g;
  in.keyed = {a};
  in.plain = {t.run(false)};
  in.batch_images = 4;
  in.images_per_reset = 1;
  const auto j = energy_json(in, EnergyTable{});
  EXPECT_NEAR(j["plain_pj"].get<double>(), (mac + sram + dram) / 4, 1e-9);
  EXPECT_NEAR(j["keyed_pj"].get<double>(), (mac + sram + dram + key_xor) / 4 + key_load, 1e-9);
  EXPECT_NEAR(j["breakdown"]["mac.multiply"]["keyed"].get<double>(), 256 * 0.2 / 4, 1e-12);
  EXPECT_NEAR(j["breakdown"]["dram"]["plain"].get<double>(), dram / 4, 1e-9);
  // Zero gating: zero-operand MACs priced at 0.
  EnergyTable gated;
  gated.zero_operand_mac_factor = 0;
  EXPECT_NEAR(price({a}, t.g, true, gated, 1).at("mac.add"), static_cast<double>(nonzero) * 0.1, 1e-9);
}

TEST(Energy, KeyedAndPlainDifferOnlyByTheKeyLogicsShare) {
  Gemm t;
  const LayerActivity k = t.run(true), p = t.run(false);
  EXPECT_EQ(k.array_macs_zero_operand, p.array_macs_zero_operand);  // locking keeps zeros
  EXPECT_EQ(k.psum_reg_toggles, p.psum_reg_toggles);                // same partial sums
  const auto ek = price({k}, t.g, true, EnergyTable{}, 10), ep = price({p}, t.g, false, EnergyTable{}, 10);
  for (const auto& [c, v] : ek) {
    if (c.rfind("key.", 0) == 0) {
      EXPECT_EQ(ep.at(c), 0.0) << c;
    } else {
      EXPECT_DOUBLE_EQ(v, ep.at(c)) << c;
    }
  }
  EXPECT_NEAR(ek.at("key.xor"), 256 * 1 * 0.1 / 96, 1e-12);
  EXPECT_NEAR(ek.at("key.load"), 16 * 0.1 / 32 / 10, 1e-12);
}

TEST(Energy, RegisterTogglesOfAOneFoldLayerMatchAHandCount) {
  // 1x1 array, M=3, K=1, N=1: activation register sees 0,a0,a1,a2,0; the psum
  // register w*a_i; the weight bank 0 -> w.
  const Geometry g = Geometry::make(1, 1);
  const std::vector<int8_t> x = {5, -1, 0}, w = {3};
  ActivityProbe p(std::make_unique<FunctionalBackend>(g));
  p.reset(nullptr);
  std::vector<int32_t> y(3);
  p.run_gemm(GemmJob{"t", GemmShape{3, 1, 1}, x.data(), w.data()}, y.data());
  const auto& a = p.layers().at(0);
  auto pc = [](uint32_t v) { return static_cast<uint64_t>(__builtin_popcount(v)); };
  EXPECT_EQ(a.act_reg_toggles, pc(5) + pc(5 ^ 0xffu) + pc(0xffu));
  EXPECT_EQ(a.psum_reg_toggles, pc(15) + pc(15 ^ 0xfffffffdu) + pc(0xfffffffdu));
  EXPECT_EQ(a.weight_reg_toggles, pc(3));
}

TEST(Energy, AccelergyYamlParsesAndHoldsEveryComponentNamedInTheDocs) {
  Gemm t;
  EnergyInputs in;
  in.geometry = t.g;
  in.keyed = {t.run(true)};
  in.plain = {t.run(false)};
  const YAML::Node root = YAML::Load(accelergy_yaml(in));
  ASSERT_TRUE(root["action_counts"]);
  EXPECT_EQ(root["action_counts"]["version"].as<std::string>(), "0.4");
  std::map<std::string, std::map<std::string, uint64_t>> got;
  for (const auto& c : root["action_counts"]["local"])
    for (const auto& a : c["action_counts"]) got[c["name"].as<std::string>()][a["name"].as<std::string>()] = a["counts"].as<uint64_t>();
  // Every `system.<design>.<component>` / action pair listed in docs/TRACES.md.
  std::ifstream doc(std::string(KEYMAC_SOURCE_DIR) + "/docs/TRACES.md");
  ASSERT_TRUE(doc.good());
  std::stringstream ss;
  ss << doc.rdbuf();
  const std::regex row(R"(\| `(system\.[a-z_]+\.[a-zA-Z_.\[\]0-9-]+)` \| ([a-z_, ]+) \|)");
  int rows = 0;
  const std::string text = ss.str();
  for (std::sregex_iterator it(text.begin(), text.end(), row), end; it != end; ++it) {
    ++rows;
    std::string name = (*it)[1];
    if (const auto p = name.find("N-1"); p != std::string::npos) name.replace(p, 3, std::to_string(t.g.pes() - 1));
    ASSERT_TRUE(got.count(name)) << name;
    std::stringstream acts((*it)[2]);
    for (std::string act; std::getline(acts, act, ',');) {
      act.erase(0, act.find_first_not_of(' '));
      act.erase(act.find_last_not_of(' ') + 1);
      EXPECT_TRUE(got[name].count(act)) << name << " " << act;
    }
  }
  EXPECT_GE(rows, 11);
  const std::string pe = "pe[0.." + std::to_string(t.g.pes() - 1) + "]";
  EXPECT_EQ(got["system.keyed_array." + pe]["mac_random"] + got["system.keyed_array." + pe]["mac_gated"],
            in.keyed[0].array_macs);
  EXPECT_EQ(got.count("system.plain_array.key_register"), 0u);
}

TEST(Energy, TableEntriesAreOverriddenFromYamlOrJsonAndUnknownKeysRefused) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string y = (dir / "km_energy.yaml").string(), j = (dir / "km_energy.json").string(),
                    bad = (dir / "km_energy_bad.yaml").string();
  std::ofstream(y) << "source: my 7 nm table\ndram_access_64bit_pj: 1300\n";
  std::ofstream(j) << R"({"mult_int8_pj": 0.03, "key_xor_bits_per_mac": 1})";
  std::ofstream(bad) << "dram_pj: 1\n";
  const EnergyTable a = EnergyTable::load(y), b = EnergyTable::load(j);
  EXPECT_EQ(a.source, "my 7 nm table");
  EXPECT_DOUBLE_EQ(a.dram_access_64bit_pj, 1300);
  EXPECT_DOUBLE_EQ(a.mult_int8_pj, 0.2);
  EXPECT_DOUBLE_EQ(b.mult_int8_pj, 0.03);
  EXPECT_DOUBLE_EQ(b.key_pj_per_mac(), 0.1 / 96);
  try {
    EnergyTable::load(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dram_pj"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos);
  }
}

// The default table's key XOR bits per MAC are what the key adds to one PE of
// the default RTL: Yosys elaborates km_array (its default parameters, 1x1)
// keyed and plain, and the XOR bits ($xor cells x width) of the km_pe module
// differ by the table's number.
#ifdef KEYMAC_YOSYS
int pe_xor_bits(bool keyed) {
  const std::string rtl = std::string(KEYMAC_SOURCE_DIR) + "/rtl/";
  const auto dir = std::filesystem::temp_directory_path() / ("keymac_xor_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string stat = (dir / (keyed ? "k1.txt" : "k0.txt")).string();
  const std::string script = "read_verilog -sv " + std::string(KEYMAC_PARAMS_SV) + " " + rtl + "km_delay.sv " + rtl +
                             "km_pe.sv " + rtl + "km_keyreg.sv " + rtl + "km_array.sv; chparam -set Rows 1 -set Cols 1 -set Keyed " +
                             (keyed ? "1" : "0") + " km_array; hierarchy -top km_array; proc; opt; wreduce; opt_clean; tee -q -o " +
                             stat + " stat -width";
  if (run_tool({KEYMAC_YOSYS, "-q", "-p", script}, {"/dev/null", "/dev/null", ""}) != 0) return -1;
  std::ifstream in(stat);
  std::string line;
  bool in_pe = false;
  int bits = 0;
  const std::regex xor_cell(R"(^\s*\$xor_(\d+)\s+(\d+)\s*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) in_pe = line.find("km_pe") != std::string::npos;
    else if (in_pe && std::regex_match(line, m, xor_cell)) bits += std::stoi(m[1]) * std::stoi(m[2]);
  }
  std::filesystem::remove_all(dir);
  return bits;
}

TEST(Energy, DefaultKeyXorBitsPerMacAreWhatTheKeyAddsToTheDefaultRtlPe) {
  const int keyed = pe_xor_bits(true), plain = pe_xor_bits(false);
  ASSERT_GT(keyed, 0) << "yosys failed";
  ASSERT_GT(plain, 0) << "yosys failed";
  EXPECT_DOUBLE_EQ(EnergyTable{}.key_xor_bits_per_mac, static_cast<double>(keyed - plain));
}
#endif

}  // namespace
}  // namespace keymac
