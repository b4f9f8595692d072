// SAIF and VCD writers, the VCD -> SAIF converter and the size guard
// (docs/TRACES.md). Toggle counts are checked against counts taken in the
// test directly from the array's port structs while it simulates.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "sim/core/core_device.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/memory_system.h"
#include "sim/core/sequencer.h"
#include "sim/core/ws_array_core.h"
#include "tests/traces/saif_reader.h"
#include "traces/array_tracer.h"
#include "traces/saif_writer.h"
#include "traces/vcd_to_saif.h"
#include "traces/vcd_writer.h"

namespace keymac::traces {
namespace {

namespace fs = std::filesystem;

std::string tmp(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("keymac_traces_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return (d / name).string();
}

// Per port bit: toggles and cycles at 1, counted straight from the structs.
struct DirectCounts {
  std::map<std::string, uint64_t> tc, ones;
  std::map<std::string, int> last;
  void bit(const std::string& net, int v) {
    auto it = last.find(net);
    if (it != last.end() && it->second != v) ++tc[net];
    tc[net] += 0;
    ones[net] += static_cast<uint64_t>(v);
    last[net] = v;
  }
  void bus(const std::string& name, uint64_t v, int w, int base) {
    for (int b = 0; b < w; ++b) bit(name + "[" + std::to_string(base + b) + "]", static_cast<int>((v >> b) & 1));
  }
  void cycle(const ArrayInputs& in, const ArrayOutputs& out, Geometry g) {
    bit("rst_ni", 1);
    bit("key_valid_i", in.key_valid);
    bit("key_bit_i", in.key_bit);
    bit("key_sealed_o", out.key_sealed);
    bit("key_err_o", out.key_err);
    bit("w_valid_i", in.w_valid);
    bus("w_row_i", in.w_row, 2, 0);  // 3 rows: 2 bits
    bit("w_bank_i", in.w_bank);
    for (int c = 0; c < g.cols; ++c) bus("w_data_i", static_cast<uint8_t>(in.w_data[static_cast<size_t>(c)]), 8, 8 * c);
    bit("a_valid_i", in.a_valid);
    bit("a_bank_i", in.a_bank);
    for (int r = 0; r < g.rows; ++r) bus("a_data_i", static_cast<uint8_t>(in.a_data[static_cast<size_t>(r)]), 8, 8 * r);
    bit("psum_valid_o", out.psum_valid);
    for (int c = 0; c < g.cols; ++c) bus("psum_data_o", static_cast<uint32_t>(out.psum_data[static_cast<size_t>(c)]), 32, 32 * c);
  }
};

struct ArrayRun {
  Geometry g = Geometry::make(3, 4);
  GemmShape shape{5, 7, 6};
  std::vector<int8_t> x, w;
  Key key{Geometry::make(3, 4)};
  ArrayRun() {
    std::mt19937 rng(2024);
    std::uniform_int_distribution<int> d(-127, 127), z(0, 3);
    for (int64_t i = 0; i < shape.m * shape.k; ++i) x.push_back(z(rng) ? static_cast<int8_t>(d(rng)) : 0);
    for (int64_t i = 0; i < shape.k * shape.n; ++i) w.push_back(static_cast<int8_t>(d(rng)));
    for (int r = 0; r < g.rows; ++r)
      for (int c = 0; c < g.cols; ++c) key.set(r, c, z(rng) & 1);
  }
  // Simulates key load + one layer, feeding the sinks and the direct counts.
  std::vector<int32_t> simulate(std::vector<TraceSink*> sinks, DirectCounts& dc, const TraceTiming& timing) {
    const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(shape);
    const uint64_t total = static_cast<uint64_t>(g.pes() + plan.cycles);
    const TraceLayout layout = boundary_layout(g);
    for (auto* s : sinks) s->begin(layout, timing, 0, total - 1);
    WsArrayCore core(g, true);
    CoreDevice dev(core);
    CycleDriver drive(dev, g);
    std::vector<uint64_t> frame;
    drive.reset();
    drive.set_observer([&](const CycleView& v) {
      dc.cycle(v.in, v.out, g);
      boundary_frame(layout, v.in, v.out, frame);
      for (auto* s : sinks) s->sample(v.cycle, frame.data());
      return true;
    });
    drive.load_key(key.serial());
    Sequencer seq(GemmProblem{shape, x.data(), w.data(), g}, plan);
    drive.run_layer(seq);
    for (auto* s : sinks) s->end();
    return seq.y();
  }
};

std::string net_path(const std::string& net) {
  std::string s = "km_array/" + net;
  return s;
}

TEST(Saif, DirectSaifParsesBackAndHoldsTheTogglesCountedDuringSimulation) {
  ArrayRun run;
  const std::string saif = tmp("direct.saif");
  SaifWriter sw(saif, TraceLimits{}, "km_array");
  DirectCounts dc;
  TraceTiming timing;  // 1000 ps per cycle, clk_i added
  const auto y = run.simulate({&sw}, dc, timing);
  std::vector<int32_t> ref(static_cast<size_t>(run.shape.m * run.shape.n));
  keyed_gemm(run.x.data(), run.w.data(), run.shape, run.g, &run.key, ref.data());
  ASSERT_EQ(y, ref);

  const auto s = saif_reader::read(saif);
  EXPECT_EQ(s.header.at("SAIFVERSION"), "2.0");
  EXPECT_EQ(s.header.at("DIRECTION"), "backward");
  for (const char* h : {"DESIGN", "DATE", "VENDOR", "PROGRAM_NAME", "VERSION", "DIVIDER", "TIMESCALE", "DURATION"})
    EXPECT_TRUE(s.header.count(h)) << h;
  EXPECT_EQ(s.header.at("TIMESCALE"), "1 ps");
  const uint64_t cycles = run.g.pes() + Schedule(run.shape, run.g).cycles();
  const uint64_t dur = cycles * 1000;
  EXPECT_EQ(s.header.at("DURATION"), std::to_string(dur));
  uint64_t toggles = 0;
  for (const auto& [net, tc] : dc.tc) {
    auto it = s.nets.find(net_path(net));
    ASSERT_NE(it, s.nets.end()) << net;
    EXPECT_EQ(it->second.tc, tc) << net;
    EXPECT_EQ(it->second.t1, dc.ones.at(net) * 1000) << net;
    EXPECT_EQ(it->second.t0 + it->second.t1 + it->second.tx, dur) << net;
    EXPECT_EQ(it->second.tx, 0u);
    EXPECT_EQ(it->second.ig, 0u);
    toggles += tc;
  }
  EXPECT_GT(toggles, 1000u);  // a real run, not an idle one
  const auto clk = s.nets.at("km_array/clk_i");
  EXPECT_EQ(clk.tc, 2 * cycles - 1);
  EXPECT_EQ(clk.t1, cycles * 500);
  EXPECT_EQ(s.nets.size(), dc.tc.size() + 1);
}

TEST(Saif, VcdToSaifGivesTheSameCountsAsTheDirectPath) {
  ArrayRun run;
  const std::string saif = tmp("direct2.saif"), vcd = tmp("run.vcd"), conv = tmp("conv.saif");
  SaifWriter sw(saif, TraceLimits{}, "km_array");
  VcdWriter vw(vcd, TraceLimits{});
  DirectCounts dc;
  run.simulate({&sw, &vw}, dc, TraceTiming{});
  const auto r = vcd_to_saif_file(vcd, conv);
  const auto a = saif_reader::read(saif), b = saif_reader::read(conv);
  EXPECT_EQ(r.nets, a.nets.size());
  EXPECT_EQ(a.header.at("DURATION"), b.header.at("DURATION"));
  EXPECT_EQ(b.header.at("TIMESCALE"), "1 ps");
  ASSERT_EQ(a.nets.size(), b.nets.size());
  for (const auto& [net, st] : a.nets) {
    auto it = b.nets.find(net);
    ASSERT_NE(it, b.nets.end()) << net;
    EXPECT_EQ(it->second.tc, st.tc) << net;
    EXPECT_EQ(it->second.t1, st.t1) << net;
    EXPECT_EQ(it->second.t0, st.t0) << net;
    EXPECT_EQ(it->second.tx, st.tx) << net;
  }
  // --scope selects a subtree; an unknown scope is refused with the tops listed.
  std::ostringstream os;
  EXPECT_EQ(vcd_to_saif(vcd, os, "km_array").nets, a.nets.size());
  try {
    vcd_to_saif(vcd, os, "tb.dut");
    FAIL() << "unknown scope accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("km_array"), std::string::npos) << e.what();
  }
}

TEST(Saif, ConverterHandlesForeignVcdFeatures) {
  // Hand-written VCD in the style of other simulators: 10 ns timescale, nested
  // scopes, reg/integer vars, a range attached to the name, x/z, short vector
  // values, $dumpoff/$dumpon, comments, an alias.
  const std::string vcd = tmp("foreign.vcd"), out = tmp("foreign.saif");
  std::ofstream(vcd) << "$date today $end\n$version other sim $end\n$timescale 10ns $end\n"
                        "$scope module tb $end\n$var reg 1 ! clk $end\n"
                        "$scope module dut $end\n$var wire 4 \" bus [3:0] $end\n$var wire 2 # v[5:4] $end\n"
                        "$var wire 1 ! clk_alias $end\n$upscope $end\n$upscope $end\n$enddefinitions $end\n"
                        "$comment start $end\n#0\n$dumpvars\n0!\nb1 \"\nbx #\n$end\n"
                        "#10\n1!\nb1010 \"\nb01 #\n#20\n0!\nbz1 \"\n#30\n$dumpoff\nx!\nbx \"\nbx #\n$end\n"
                        "#40\n$dumpon\n1!\nb0 \"\nb10 #\n$end\n#50\n";
  const auto r = vcd_to_saif_file(vcd, out, "tb");
  EXPECT_EQ(r.duration, 50u);
  EXPECT_EQ(r.timescale, "10 ns");
  const auto s = saif_reader::read(out);
  // clk: 0 [0,10) 1 [10,20) 0 [20,30) x [30,40) 1 [40,50): toggles 0->1, 1->0 only.
  const auto clk = s.nets.at("tb/clk");
  EXPECT_EQ(clk.t0, 20u);
  EXPECT_EQ(clk.t1, 20u);
  EXPECT_EQ(clk.tx, 10u);
  EXPECT_EQ(clk.tc, 2u);
  EXPECT_EQ(s.nets.at("tb/dut/clk_alias").tc, 2u);
  // bus[1]: 0001 -> 1010 -> zz1 = zzz1? no: "bz1" extends with z: zzz1 -> x -> 0000
  // bus[1]: 0 [0,10) 1 [10,20) z [20,30) x [30,40) 0 [40,50)
  const auto b1 = s.nets.at("tb/dut/bus[1]");
  EXPECT_EQ(b1.t0, 20u);
  EXPECT_EQ(b1.t1, 10u);
  EXPECT_EQ(b1.tx, 20u);
  EXPECT_EQ(b1.tc, 1u);
  // bus[0]: 1 [0,10) 0 [10,20) 1 [20,30) x [30,40) 0 [40,50): 2 toggles.
  EXPECT_EQ(s.nets.at("tb/dut/bus[0]").tc, 2u);
  // v[5:4] named by its range: v[4] is the LSB. x [0,10) 1 [10,30) x 0
  const auto v4 = s.nets.at("tb/dut/v[4]");
  EXPECT_EQ(v4.t1, 20u);
  EXPECT_EQ(v4.tx, 20u);
  EXPECT_EQ(v4.tc, 0u);
  EXPECT_EQ(s.nets.at("tb/dut/v[5]").t1, 10u);
}

TEST(Saif, ATraceOverTheLimitIsRefusedBeforeWritingWithTheEstimate) {
  const Geometry g = Geometry::make(16, 16);
  const TraceLayout layout = boundary_layout(g);
  TraceLimits lim;
  lim.limit_bytes = 1 << 20;
  const std::string vcd = tmp("big.vcd");
  fs::remove(vcd);
  VcdWriter vw(vcd, lim);
  const uint64_t est = vw.estimate_bytes(layout, 1000000);
  EXPECT_GT(est, uint64_t{1} << 20);
  try {
    vw.begin(layout, TraceTiming{}, 0, 999999);
    FAIL() << "over-limit VCD accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(std::to_string(est) + " bytes"), std::string::npos) << m;
    EXPECT_NE(m.find("--force-trace"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(vcd));
  // The window bounds the estimate: 100 cycles pass; forcing passes too.
  lim.window_to = 99;
  VcdWriter small(vcd, lim);
  EXPECT_NO_THROW(small.begin(layout, TraceTiming{}, 0, 999999));
  small.end();
  lim.window_to = std::numeric_limits<uint64_t>::max();
  lim.force = true;
  const std::string forced = tmp("forced.vcd");
  VcdWriter f(forced, lim);
  EXPECT_NO_THROW(f.begin(layout, TraceTiming{}, 0, 999999));
  f.end();
  // The SAIF writer's output is O(nets): a tiny limit refuses it, nothing created.
  lim.force = false;
  lim.limit_bytes = 100;
  const std::string saif = tmp("refused.saif");
  SaifWriter sw(saif, lim);
  EXPECT_THROW(sw.begin(layout, TraceTiming{}, 0, 10), Error);
  EXPECT_FALSE(fs::exists(saif));
}

TEST(Saif, ArrayTracerWindowLimitsTheSampledCycles) {
  ArrayRun run;
  TraceLimits lim;
  lim.window_from = 20;
  lim.window_to = 29;
  const std::string saif = tmp("window.saif");
  SaifWriter sw(saif, lim, "km_array");
  const LayerPlan plan = MemorySystem(run.g, MemoryConfig{}).plan(run.shape);
  ArrayTracer tr(run.g, true, {&sw}, TraceTiming{}, static_cast<uint64_t>(run.g.pes() + plan.cycles));
  tr.load_key(run.key.serial());
  const auto y = tr.run_layer(GemmProblem{run.shape, run.x.data(), run.w.data(), run.g}, plan);
  tr.finish();
  std::vector<int32_t> ref(y.size());
  keyed_gemm(run.x.data(), run.w.data(), run.shape, run.g, &run.key, ref.data());
  EXPECT_EQ(y, ref);
  EXPECT_EQ(saif_reader::read(saif).header.at("DURATION"), "10000");
}

}  // namespace
}  // namespace keymac::traces
