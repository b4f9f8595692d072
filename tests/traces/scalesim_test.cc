// SCALE-Sim-format traces of the ideal schedule (docs/TRACES.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "sim/core/error.h"
#include "traces/scalesim_trace.h"

namespace keymac::traces {
namespace {

namespace fs = std::filesystem;

// Lines and non-idle addresses of one CSV.
struct Csv {
  std::vector<std::vector<int64_t>> rows;
  uint64_t addrs = 0;
};
Csv read_csv(const std::string& p) {
  Csv c;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    std::vector<int64_t> r;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) r.push_back(std::stoll(f));
    for (size_t i = 1; i < r.size(); ++i) c.addrs += r[i] != -1;
    c.rows.push_back(r);
  }
  return c;
}

TEST(ScaleSim, TracesReadEachOperandOncePerFoldAtTheSpecsCycles) {
  const Geometry g = Geometry::make(4, 3);
  const GemmShape s{5, 6, 4};  // Kt = 2, Nt = 2, F = 4, P = 5
  const std::string dir = (fs::temp_directory_path() / ("km_ss_" + std::to_string(::getpid()))).string();
  write_scalesim_traces(dir, {{"a", s}, {"b", s}}, g, TraceLimits{});
  const int64_t cyc = Schedule(s, g).cycles();  // (F-1)*P + M + R + C = 15 + 12 = 27
  ASSERT_EQ(cyc, 27);
  const auto isr = read_csv(dir + "/layer0/IFMAP_SRAM_TRACE.csv");
  ASSERT_EQ(isr.rows.size(), 27u);
  EXPECT_EQ(isr.rows[0], (std::vector<int64_t>{0, -1, -1, -1, -1}));  // cycle 0: weights only
  EXPECT_EQ(isr.rows[1], (std::vector<int64_t>{1, 0, 1, 2, 3}));      // S_0 = 1: X[0][0..3]
  EXPECT_EQ(isr.rows[6], (std::vector<int64_t>{6, 4, 5, -1, -1}));    // S_1 = 6: X[0][4..5]
  EXPECT_EQ(isr.addrs, 2u * 5 * 6);                                   // Nt * M * K
  const auto fsr = read_csv(dir + "/layer0/FILTER_SRAM_TRACE.csv");
  EXPECT_EQ(fsr.rows[0], (std::vector<int64_t>{0, 10000000, 10000001, 10000002}));
  EXPECT_EQ(fsr.addrs, 6u * 4);                                       // each weight once
  const auto osr = read_csv(dir + "/layer0/OFMAP_SRAM_TRACE.csv");
  EXPECT_EQ(osr.rows[1 + 4 + 3 - 1], (std::vector<int64_t>{7, 20000000, 20000001, 20000002}));
  EXPECT_EQ(osr.addrs, 2u * 5 * 4);                                   // Kt * M * N
  EXPECT_EQ(read_csv(dir + "/layer0/IFMAP_DRAM_TRACE.csv").addrs, 5u * 6);
  EXPECT_EQ(read_csv(dir + "/layer0/FILTER_DRAM_TRACE.csv").addrs, 6u * 4);
  EXPECT_EQ(read_csv(dir + "/layer0/OFMAP_DRAM_TRACE.csv").addrs, 5u * 4);
  // Layer 1 continues the global cycle count.
  EXPECT_EQ(read_csv(dir + "/layer1/IFMAP_SRAM_TRACE.csv").rows.front().front(), 27);
  fs::remove_all(dir);
}

TEST(ScaleSim, WindowLimitsTheTracesAndOversizedRequestsAreRefusedFirst) {
  const Geometry g = Geometry::make(16, 16);
  const GemmShape s{256, 784, 128};
  const std::string dir = (fs::temp_directory_path() / ("km_ss_big_" + std::to_string(::getpid()))).string();
  TraceLimits lim;
  lim.limit_bytes = 1 << 20;
  const uint64_t est = estimate_scalesim_bytes({{"fc", s}}, g, lim);
  EXPECT_GT(est, lim.limit_bytes);
  try {
    write_scalesim_traces(dir, {{"fc", s}}, g, lim);
    FAIL() << "oversized trace accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(est) + " bytes"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir));
  lim.window_from = 100;
  lim.window_to = 199;
  EXPECT_LT(estimate_scalesim_bytes({{"fc", s}}, g, lim), lim.limit_bytes);
  write_scalesim_traces(dir, {{"fc", s}}, g, lim);
  const std::string p = dir + "/layer0/IFMAP_SRAM_TRACE.csv";
  std::ifstream in(p);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first.substr(0, 4), "100,");
  EXPECT_LE(fs::file_size(p), est);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace keymac::traces
