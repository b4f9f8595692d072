// `keymac run --topology`: SCALE-Sim's topology and config formats and the
// plain M,K,N list, and per-layer cycles against the closed form
// (ARCHITECTURE.md section 8), SCALE-Sim's formula and SCALE-Sim's own reports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/energy/energy_table.h"
#include "host/runtime/topology_file.h"
#include "host/runtime/topology_job.h"
#include "sim/core/error.h"

namespace keymac {
namespace {

namespace fs = std::filesystem;
const std::string kRef = std::string(KEYMAC_SOURCE_DIR) + "/tests/traces/data/scalesim_ref/";

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string p = (fs::temp_directory_path() / ("km_topo_" + std::to_string(::getpid()) + "_" + name)).string();
  std::ofstream(p) << text;
  return p;
}
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

TEST(Topology, ScaleSimConvCsvLowersEachLayerAsScaleSimDoes) {
  // SCALE-Sim's header and trailing commas; a depth-wise ("DP") layer becomes one layer per channel.
  const std::string p = temp_file("conv.csv",
                                  "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                                  "Num Filter, Strides,\n"
                                  "Conv1     ,224 ,224 ,11 ,11 ,3 ,96 ,4 ,\n"
                                  "c2,12,10,3,3,8,16,2,1,\n"
                                  "DP3,14,14,3,3,3,1,1,\n");
  const Topology t = read_topology(p);
  EXPECT_EQ(t.format, "conv");
  ASSERT_EQ(t.layers.size(), 1u + 1u + 3u);
  // ofmap = ceil((H - FH + S) / S): (224 - 11 + 4) / 4 -> 55 (ceil 54.25)
  EXPECT_EQ(t.layers[0].shape.m, 55 * 55);
  EXPECT_EQ(t.layers[0].shape.k, 11 * 11 * 3);
  EXPECT_EQ(t.layers[0].shape.n, 96);
  EXPECT_EQ(t.layers[0].name, "Conv1");
  // stride H 2, W 1: ceil(11/2) = 6 rows, 8 columns
  EXPECT_EQ(t.layers[1].shape.m, 6 * 8);
  EXPECT_EQ(t.layers[1].shape.k, 3 * 3 * 8);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(t.layers[2 + c].name, "DP3Channel_" + std::to_string(c));
    EXPECT_EQ(t.layers[2 + c].shape.k, 9);
    EXPECT_EQ(t.layers[2 + c].shape.m, 12 * 12);
  }
  fs::remove(p);
}

TEST(Topology, ScaleSimGemmCsvIsMNKAndThePlainListIsMKN) {
  const std::string g = temp_file("gemm.csv", "Layer Name, M, N, K,\nfc1, 128, 64, 256,\n");
  const Topology tg = read_topology(g);
  EXPECT_EQ(tg.format, "gemm");
  ASSERT_EQ(tg.layers.size(), 1u);
  EXPECT_EQ(tg.layers[0].shape.m, 128);
  EXPECT_EQ(tg.layers[0].shape.n, 64);
  EXPECT_EQ(tg.layers[0].shape.k, 256);
  const std::string l = temp_file("list.txt", "# M,K,N\n128,256,64\n\n1,2,3\n");
  const Topology tl = read_topology(l);
  EXPECT_EQ(tl.format, "mkn");
  ASSERT_EQ(tl.layers.size(), 2u);
  EXPECT_EQ(tl.layers[0].shape.m, 128);
  EXPECT_EQ(tl.layers[0].shape.k, 256);
  EXPECT_EQ(tl.layers[0].shape.n, 64);
  fs::remove(g);
  fs::remove(l);
}

TEST(Topology, MalformedFilesAreRefusedNamingFileAndLine) {
  auto err = [](const std::string& text) {
    const std::string p = temp_file("bad.csv", text);
    std::string what;
    try {
      read_topology(p);
    } catch (const Error& e) {
      what = e.what();
    }
    fs::remove(p);
    return what;
  };
  EXPECT_NE(err("hello\n").find("bad.csv:1:"), std::string::npos);
  EXPECT_NE(err("1,2,3\n4,x,6\n").find("bad.csv:2: K 'x'"), std::string::npos);
  EXPECT_NE(err("Layer, M, N, K,\nfc, 0, 1, 1,\n").find("bad.csv:2: M '0'"), std::string::npos);
  EXPECT_NE(err("Layer name, IFMAP Height,\nc,2,2,3,3,1,1,1,\n").find("filter larger"), std::string::npos);
  EXPECT_NE(err("").find("empty"), std::string::npos);
}

TEST(Topology, ScaleSimConfigGivesTheArrayAndRefusesOtherDataflows) {
  const ScaleSimConfig c = read_scalesim_config(kRef + "ws16.cfg");
  EXPECT_EQ(c.array, Geometry::make(16, 16));
  EXPECT_EQ(c.filter_offset, 10000000);
  EXPECT_EQ(c.ofmap_sram_kb, 64);
  EXPECT_FALSE(c.user_bandwidth);
  const std::string os = temp_file("os.cfg", "[architecture_presets]\nArrayHeight: 8\nArrayWidth: 4\nDataflow : os\n");
  try {
    read_scalesim_config(os);
    FAIL() << "os accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Dataflow 'os' not supported"), std::string::npos) << e.what();
  }
  fs::remove(os);
}

// The closed form and SCALE-Sim's formula, written out here independently.
TEST(Topology, CyclesAreTheClosedFormAndScaleSimsAreItsFoldFormula) {
  const std::string l = temp_file("shapes.txt", "256,256,256\n64,784,128\n3,5,7\n100,17,33\n");
  TopologyConfig cfg;
  cfg.topology = l;
  cfg.array = Geometry::make(16, 8);
  const auto r = run_topology(cfg);
  const int64_t R = 16, C = 8;
  const int64_t shapes[][3] = {{256, 256, 256}, {64, 784, 128}, {3, 5, 7}, {100, 17, 33}};
  ASSERT_EQ(r["layers"].size(), 4u);
  int64_t total = 0;
  for (size_t i = 0; i < 4; ++i) {
    const int64_t M = shapes[i][0], K = shapes[i][1], N = shapes[i][2];
    const int64_t F = ceil_div(K, R) * ceil_div(N, C);
    const auto& j = r["layers"][i];
    EXPECT_EQ(j["cycles"].get<int64_t>(), (F - 1) * std::max(M, R) + M + R + C) << i;
    EXPECT_EQ(j["scalesim_cycles"].get<int64_t>(), F * (2 * R + C + M - 2) - 1) << i;
    EXPECT_EQ(j["stall_cycles"].get<int64_t>(), 0);
    EXPECT_EQ(j["difference"].get<int64_t>(),
              j["double_buffer_saving"].get<int64_t>() + j["last_fold_difference"].get<int64_t>());
    EXPECT_DOUBLE_EQ(j["utilisation"].get<double>(),
                     static_cast<double>(M * K * N) / static_cast<double>(R * C * j["cycles"].get<int64_t>()));
    // Keyed - plain energy: one key XOR share per PE operation, F*M*R*C of them
    // (the table's XOR bits per MAC, each add/96: Horowitz's int32 add energy / 96).
    const double xor_pj = static_cast<double>(F * M * R * C) * EnergyTable{}.key_xor_bits_per_mac * (0.1 / 96);
    EXPECT_NEAR(j["energy_pj"]["keyed"].get<double>() - j["energy_pj"]["plain"].get<double>(), xor_pj, 1e-6 * xor_pj);
    total += j["cycles"].get<int64_t>();
  }
  EXPECT_EQ(r["total"]["cycles"].get<int64_t>(), total);
  EXPECT_DOUBLE_EQ(r["area"]["keyed"]["array_um2"].get<double>(), 128 * (282 + 137 + 56 * 4.522 + 1.596 + 4.522));
  fs::remove(l);
}

TEST(Topology, UserBandwidthConfigAddsMemoryStallsToTheClosedForm) {
  const std::string cfgp = temp_file("user.cfg",
                                     "[architecture_presets]\nArrayHeight: 16\nArrayWidth: 16\nIfmapSramSzkB: 64\n"
                                     "FilterSramSzkB: 64\nOfmapSramSzkB: 64\nDataflow: ws\nBandwidth : 4\n"
                                     "[run_presets]\nInterfaceBandwidth: USER\n");
  const std::string l = temp_file("one.txt", "576,25,8\n");
  TopologyConfig cfg;
  cfg.topology = l;
  cfg.scalesim_config = cfgp;
  const auto r = run_topology(cfg);
  const auto& j = r["layers"][0];
  const int64_t F = 2, M = 576, ideal = (F - 1) * M + M + 16 + 16;
  EXPECT_GT(j["stall_cycles"].get<int64_t>(), 0);
  EXPECT_EQ(j["cycles"].get<int64_t>(), ideal + j["stall_cycles"].get<int64_t>());
  EXPECT_EQ(r["memory"]["dram_bytes_per_cycle"].get<double>(), 4.0);
  fs::remove(cfgp);
  fs::remove(l);
}

// SCALE-Sim's own Total Cycles (its COMPUTE_REPORT, tests/traces/data/scalesim_ref) for the same layers.
TEST(Topology, ScaleSimCyclesEqualTheRealScaleSimsReports) {
  for (const auto& [topo, type, report] :
       {std::tuple<std::string, std::string, std::string>{"gemm256.csv", "gemm", "gemm256_16x16_ws"},
        {"conv.csv", "conv", "conv_16x16_ws"}}) {
    TopologyConfig cfg;
    cfg.topology = kRef + topo;
    cfg.scalesim_config = kRef + "ws16.cfg";
    const auto r = run_topology(cfg);
    EXPECT_EQ(r["format"].get<std::string>(), type);
    std::ifstream in(kRef + report + "/COMPUTE_REPORT.csv");
    std::string line;
    std::getline(in, line);
    size_t i = 0;
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string id, cyc;
      std::getline(ss, id, ',');
      std::getline(ss, cyc, ',');
      ASSERT_LT(i, r["layers"].size());
      EXPECT_EQ(r["layers"][i]["scalesim_cycles"].get<int64_t>(), std::stoll(cyc)) << report << " layer " << i;
      ++i;
    }
    EXPECT_EQ(i, r["layers"].size());
  }
}

}  // namespace
}  // namespace keymac
