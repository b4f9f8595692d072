// SCALE-Sim-format traces of the ideal schedule (docs/TRACES.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

#include <map>
#include <set>

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
  // W of output n, reduction k at n*K + k (SCALE-Sim's filter matrix): row 0, n = 0, 1, 2.
  EXPECT_EQ(fsr.rows[0], (std::vector<int64_t>{0, 10000000, 10000006, 10000012}));
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

// ---- Against the real SCALE-Sim (tests/traces/data/scalesim_ref/README.md) ----

const std::string kRef = std::string(KEYMAC_SOURCE_DIR) + "/tests/traces/data/scalesim_ref/";

// Per fold, per lane: the addresses read (written) in order, -1 dropped.
using LaneSeqs = std::map<int64_t, std::vector<std::vector<int64_t>>>;
LaneSeqs by_fold(const Csv& c, const std::function<int64_t(int64_t cycle)>& fold_of) {
  LaneSeqs out;
  for (const auto& row : c.rows) {
    const int64_t f = fold_of(row[0]);
    auto& lanes = out[f];
    lanes.resize(row.size() - 1);
    for (size_t j = 1; j < row.size(); ++j)
      if (row[j] != -1) lanes[j - 1].push_back(row[j]);
  }
  return out;
}
std::string first_line(const std::string& p) {
  std::ifstream in(p);
  std::string l;
  std::getline(in, l);
  return l;
}

struct RefLayer {
  std::string ref_dir;  // SCALE-Sim's layer traces
  std::string report_dir;  // SCALE-Sim's reports
  ScaleSimLayer layer;
  int scalesim_layer_id;
};

// SCALE-Sim's operand matrices: T = M ofmap pixels, Sr = K window, Sc = N filters.
// A fold in SCALE-Sim's traces lasts 2R + C + T - 2 lines, folds back to back.
void expect_same_addresses_per_lane_and_fold(const RefLayer& ref, Geometry g) {
  const std::string dir = (fs::temp_directory_path() / ("km_ss_ref_" + std::to_string(::getpid()))).string();
  ScaleSimOptions o;
  o.per_layer_cycles = true;
  write_scalesim_traces(dir, {ref.layer}, g, TraceLimits{}, o);
  const GemmShape s = ref.layer.shape;
  const int64_t R = g.rows, C = g.cols;
  const int64_t L = 2 * R + C + s.m - 2;  // SCALE-Sim's fold length
  const int64_t P = std::max<int64_t>(s.m, R);  // keymac's fold period (ARCHITECTURE.md section 8)
  struct Op {
    const char* file;
    std::function<int64_t(int64_t)> keymac_fold;  // spec: activation i of fold f at f*P + 1 + i, ...
    bool reversed;                                // SCALE-Sim shifts weights in from row R-1
  };
  const Op ops[] = {{"IFMAP_SRAM_TRACE.csv", [&](int64_t t) { return (t - 1) / P; }, false},
                    {"FILTER_SRAM_TRACE.csv", [&](int64_t t) { return t / P; }, true},
                    {"OFMAP_SRAM_TRACE.csv", [&](int64_t t) { return (t - R - C) / P; }, false}};
  for (const auto& op : ops) {
    const Csv theirs_csv = read_csv(ref.ref_dir + "/" + op.file);
    ASSERT_FALSE(theirs_csv.rows.empty()) << op.file;
    const int64_t c0 = theirs_csv.rows.front().front();  // SCALE-Sim starts IFMAP/FILTER at 1, OFMAP at 0
    const LaneSeqs theirs = by_fold(theirs_csv, [&](int64_t cyc) { return (cyc - c0) / L; });
    const LaneSeqs ours = by_fold(read_csv(dir + "/layer0/" + op.file), op.keymac_fold);
    for (const auto& [f, lanes] : theirs) {
      ASSERT_TRUE(ours.count(f)) << op.file << " fold " << f;
      ASSERT_EQ(ours.at(f).size(), lanes.size()) << op.file;
      for (size_t j = 0; j < lanes.size(); ++j) {
        std::vector<int64_t> want = lanes[j];
        if (op.reversed) std::reverse(want.begin(), want.end());
        EXPECT_EQ(ours.at(f)[j], want) << op.file << " fold " << f << " lane " << j;
      }
    }
  }
  // Reports: SCALE-Sim's exact headers; the same SRAM access counts and mapping efficiency.
  for (const char* rep : {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"})
    EXPECT_EQ(first_line(dir + "/" + rep), first_line(ref.report_dir + "/" + rep)) << rep;
  fs::remove_all(dir);
}

// SCALE-Sim's report line `id` as numbers (columns after LayerID).
std::vector<double> report_row(const std::string& path, int id) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  for (int i = 0; i <= id; ++i) std::getline(in, line);
  std::vector<double> v;
  std::stringstream ss(line);
  for (std::string f; std::getline(ss, f, ',');)
    if (f.find_first_not_of(" ") != std::string::npos) v.push_back(std::stod(f));
  return v;
}

TEST(ScaleSimReference, Gemm256EveryRowAndColumnReadsScaleSimsAddressesInOrderPerFold) {
  const Geometry g = Geometry::make(16, 16);
  ScaleSimLayer l{"gemm256", GemmShape{256, 256, 256}, std::nullopt};
  expect_same_addresses_per_lane_and_fold({kRef + "gemm256_16x16_ws", kRef + "gemm256_16x16_ws", l, 0}, g);
}

ScaleSimLayer scalesim_conv(const std::string& name, int64_t h, int64_t w, int64_t fh, int64_t fw, int64_t c,
                            int64_t nf, int64_t st) {
  ScaleSimConv v;
  v.ifmap_h = h, v.ifmap_w = w, v.filter_h = fh, v.filter_w = fw, v.channels = c, v.stride_h = v.stride_w = st;
  v.out_h = (h - fh + st + st - 1) / st;  // SCALE-Sim: ceil((H - FH + S) / S)
  v.out_w = (w - fw + st + st - 1) / st;
  v.k_order = ScaleSimConv::KOrder::kScaleSim;
  return ScaleSimLayer{name, GemmShape{v.out_h * v.out_w, fh * fw * c, nf}, v};
}

TEST(ScaleSimReference, ConvLayersReadScaleSimsPixelAddressesInOrderPerFold) {
  const Geometry g = Geometry::make(16, 16);
  // tests/traces/data/scalesim_ref/conv.csv
  expect_same_addresses_per_lane_and_fold(
      {kRef + "conv_16x16_ws/layer0", kRef + "conv_16x16_ws", scalesim_conv("conv28x28x1_5x5x8", 28, 28, 5, 5, 1, 8, 1), 0}, g);
  expect_same_addresses_per_lane_and_fold(
      {kRef + "conv_16x16_ws/layer1", kRef + "conv_16x16_ws", scalesim_conv("conv12x12x8_3x3x16_s2", 12, 12, 3, 3, 8, 16, 2), 1}, g);
}

TEST(ScaleSimReference, ReportCountsAndMappingEfficiencyEqualScaleSims) {
  const Geometry g = Geometry::make(16, 16);
  const std::vector<std::pair<std::string, std::vector<ScaleSimLayer>>> runs = {
      {"gemm256_16x16_ws", {{"gemm256", GemmShape{256, 256, 256}, std::nullopt}}},
      {"conv_16x16_ws",
       {scalesim_conv("c0", 28, 28, 5, 5, 1, 8, 1), scalesim_conv("c1", 12, 12, 3, 3, 8, 16, 2)}}};
  for (const auto& [d, layers] : runs) {
    for (size_t id = 0; id < layers.size(); ++id) {
      const ScaleSimReport ours = scalesim_report(layers[id], g);
      const auto detail = report_row(kRef + d + "/DETAILED_ACCESS_REPORT.csv", static_cast<int>(id));
      const auto compute = report_row(kRef + d + "/COMPUTE_REPORT.csv", static_cast<int>(id));
      // Columns: id, then (start, stop, count) x {SRAM IFMAP, Filter, OFMAP, DRAM ...}.
      EXPECT_EQ(static_cast<double>(ours.sram[0].count), detail[3]) << d << " " << id;
      EXPECT_EQ(static_cast<double>(ours.sram[1].count), detail[6]) << d << " " << id;
      EXPECT_EQ(static_cast<double>(ours.sram[2].count), detail[9]) << d << " " << id;
      EXPECT_NEAR(ours.mapping_eff, compute[4], 1e-9) << d << " " << id;
      // SCALE-Sim's total: F folds of 2R + C + T - 2, not overlapped, minus one.
      const GemmShape s = layers[id].shape;
      const int64_t F = ((s.k + 15) / 16) * ((s.n + 15) / 16);
      EXPECT_EQ(compute[1], static_cast<double>(F * (2 * 16 + 16 + s.m - 2) - 1)) << d << " " << id;
      // keymac: (F - 1) * max(M, R) + M + R + C (ARCHITECTURE.md section 8).
      EXPECT_EQ(ours.cycles, (F - 1) * std::max<int64_t>(s.m, 16) + s.m + 32);
      EXPECT_EQ(ours.stall_cycles, 0);
    }
  }
}

// SCALE-Sim's IFMAP DRAM reads for a convolution are the input pixels
// (DETAILED_ACCESS_REPORT: 784 for 28x28x1, 1,152 for 12x12x8), not the
// im2col operand matrix (14,400 and 2,592 SRAM reads). keymac's IFMAP DRAM
// trace fetches each pixel at its first use: exactly the set of pixels that
// SCALE-Sim's own IFMAP SRAM trace reads, each once, and that many reads.
TEST(ScaleSimReference, ConvIfmapDramTraceFetchesEachInputPixelOnceAsScaleSimCounts) {
  const Geometry g = Geometry::make(16, 16);
  const std::vector<ScaleSimLayer> layers = {scalesim_conv("c0", 28, 28, 5, 5, 1, 8, 1),
                                             scalesim_conv("c1", 12, 12, 3, 3, 8, 16, 2)};
  const std::string dir = (fs::temp_directory_path() / ("km_ss_dram_" + std::to_string(::getpid()))).string();
  write_scalesim_traces(dir, layers, g, TraceLimits{});
  for (size_t id = 0; id < layers.size(); ++id) {
    const std::string l = "layer" + std::to_string(id);
    std::multiset<int64_t> ours;
    for (const auto& row : read_csv(dir + "/" + l + "/IFMAP_DRAM_TRACE.csv").rows)
      for (size_t j = 1; j < row.size(); ++j)
        if (row[j] != -1) ours.insert(row[j]);
    std::set<int64_t> theirs_pixels;
    for (const auto& row : read_csv(kRef + "conv_16x16_ws/" + l + "/IFMAP_SRAM_TRACE.csv").rows)
      for (size_t j = 1; j < row.size(); ++j)
        if (row[j] != -1) theirs_pixels.insert(row[j]);
    const auto detail = report_row(kRef + "conv_16x16_ws/DETAILED_ACCESS_REPORT.csv", static_cast<int>(id));
    EXPECT_EQ(static_cast<double>(ours.size()), detail[12]) << l;  // DRAM IFMAP Reads
    EXPECT_EQ(ours.size(), theirs_pixels.size()) << l << ": every pixel once";
    EXPECT_EQ(std::set<int64_t>(ours.begin(), ours.end()), theirs_pixels) << l;
    const ScaleSimReport rep = scalesim_report(layers[id], g);
    EXPECT_EQ(static_cast<double>(rep.dram[0].count), detail[12]) << l;
  }
  fs::remove_all(dir);
}

// A window that reaches only some layers writes only those layers' traces
// (no empty files) and says so; one that starts after the last cycle writes
// nothing and names the window.
TEST(ScaleSim, WindowWritesOnlyTheLayersItReachesAndNoEmptyFile) {
  const Geometry g = Geometry::make(4, 3);
  const GemmShape s{5, 6, 4};  // 27 cycles per layer
  const std::string dir = (fs::temp_directory_path() / ("km_ss_win_" + std::to_string(::getpid()))).string();
  TraceLimits lim;
  lim.window_from = 30;
  lim.window_to = 38;
  const ScaleSimWritten w = write_scalesim_traces(dir, {{"a", s}, {"b", s}, {"c", s}}, g, lim);
  EXPECT_EQ(w.total_cycles, 81u);
  EXPECT_EQ(w.first, 30u);
  EXPECT_EQ(w.last, 38u);
  EXPECT_EQ(w.layers, (std::vector<std::string>{"b"}));
  EXPECT_FALSE(fs::exists(dir + "/layer0"));
  EXPECT_FALSE(fs::exists(dir + "/layer2"));
  // Layer b's cycles 3..11 (P = 5, folds f = nt*Kt + kt): outputs leave the
  // array R + C - 1 = 6 cycles after their row, so fold 0 (kt 0) writes at
  // 7..11 and fold 1, the first with the last K-tile (to DRAM), from 12 on:
  // OFMAP_DRAM has no line in the window.
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) {
      ++files;
      EXPECT_GT(fs::file_size(e.path()), 0u) << e.path();
    }
  EXPECT_EQ(files, w.files);
  EXPECT_EQ(w.skipped, (std::vector<std::string>{dir + "/layer1/OFMAP_DRAM_TRACE.csv"}));
  EXPECT_EQ(w.line(dir), "wrote " + dir + " (cycles 30..38 of 81, layers b; 8 files; 1 traces with no line in the window not written)");
  EXPECT_NE(w.warning(dir).find("covers only cycles 30..38 of the 81-cycle"), std::string::npos);
  fs::remove_all(dir);
  lim.window_from = 81;
  lim.window_to = 100;
  try {
    write_scalesim_traces(dir, {{"a", s}, {"b", s}, {"c", s}}, g, lim);
    FAIL() << "a window after the last cycle was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not written: --trace-window 81:100 starts after the 81 cycles"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir));
  lim.window_from = 0;
  const ScaleSimWritten all = write_scalesim_traces(dir, {{"a", s}}, g, lim);
  EXPECT_EQ(all.warning(dir), "");
  EXPECT_EQ(all.files, 6 + 3);
  fs::remove_all(dir);
}

TEST(ScaleSim, PerLayerCycleNumberingRestartsEveryLayerAtZero) {
  const Geometry g = Geometry::make(4, 3);
  const GemmShape s{5, 6, 4};
  const std::string dir = (fs::temp_directory_path() / ("km_ss_pl_" + std::to_string(::getpid()))).string();
  ScaleSimOptions o;
  o.per_layer_cycles = true;
  write_scalesim_traces(dir, {{"a", s}, {"b", s}}, g, TraceLimits{}, o);
  for (const char* l : {"layer0", "layer1"}) {
    const auto c = read_csv(dir + "/" + l + "/FILTER_SRAM_TRACE.csv");
    EXPECT_EQ(c.rows.front().front(), 0) << l;
    EXPECT_EQ(c.rows.back().front(), 26) << l;  // cycles() - 1 = 27 - 1
  }
  fs::remove_all(dir);
}

TEST(ScaleSim, KeymacConvLoweringMapsEachReductionIndexToItsNhwcPixel) {
  // ARCHITECTURE.md section 6: k = (c*kh + y)*kw + x; NHWC pixel ((b*H + iy)*W + ix)*C + c.
  ScaleSimConv v;
  v.ifmap_h = 5, v.ifmap_w = 4, v.channels = 2, v.filter_h = 3, v.filter_w = 3, v.pad_top = 1, v.pad_left = 1;
  v.out_h = 5, v.out_w = 4;
  const ScaleSimLayer l{"c", GemmShape{2 * 20, 18, 3}, v};
  // Output pixel (oy 2, ox 3) of image 1: i = 20 + 2*4 + 3; tap c=1, y=0, x=1 -> k = (1*3 + 0)*3 + 1 = 10.
  // Input row iy = 2 - 1 + 0 = 1, column ix = 3 - 1 + 1 = 3.
  EXPECT_EQ(scalesim_ifmap_addr(l, 31, 10), ((1 * 5 + 1) * 4 + 3) * 2 + 1);
  // Tap x=2 at ox=3 is padding (ix = 4 >= W).
  EXPECT_EQ(scalesim_ifmap_addr(l, 31, 11), -1);
  // GEMM: X[i][k] at i*K + k.
  EXPECT_EQ(scalesim_ifmap_addr({"g", GemmShape{3, 7, 2}, std::nullopt}, 2, 5), 19);
}

}  // namespace
}  // namespace keymac::traces
