// SAIF of the RTL hierarchy (docs/TRACES.md): a keyed 4x4 km_array, verilated,
// runs the key load and one layer with its VCD on from right after reset; the
// streaming converter turns the VCD into SAIF for the design scope
// km_array.km_array (Verilator names its top scope after the model instance,
// "km_array", and puts the km_array module instance inside it), and the
// test's own SAIF reader checks (a) nested INSTANCE blocks down to the PEs and
// (b) the toggle counts and time-at-1 of every boundary port bit against
// counts taken in the test from the same stimulus fed to the C++ cycle model
// (WsArrayCore), with the VCD's timing (rtl/tb/rtl_array.h):
//   * inputs of cycle t hold over [10t, 10t+10) (t counted from the first
//     cycle after reset; the SAIF's times are relative to its first timestamp);
//   * every output is a register output, so the value of cycle t (after t
//     rising edges) appears at the edge of cycle t-1, 10(t-1)+5, and holds
//     until 10t+5. The trace covers the outputs of cycles 0..N for N stepped
//     cycles: cycle 0 for 5 units (from the first timestamp), cycles 1..N-1
//     for 10, cycle N (after the last edge) for 5 (to the closing timestamp).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <unistd.h>

#include "rtl_models.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/memory_system.h"
#include "sim/core/sequencer.h"
#include "sim/core/ws_array_core.h"
#include "tests/traces/saif_reader.h"
#include "traces/vcd_to_saif.h"

namespace keymac::traces {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRtlScope = "km_array.km_array";

std::string tmp(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("keymac_rtl_saif_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return (d / name).string();
}

// Per port bit: the value in each traced interval and its length in VCD time units.
struct PortCounts {
  std::map<std::string, uint64_t> tc, t1;
  std::map<std::string, int> last;
  void bit(const std::string& net, int v, uint64_t len) {
    auto it = last.find(net);
    if (it != last.end() && it->second != v) ++tc[net];
    tc[net] += 0;
    t1[net] += v ? len : 0;
    last[net] = v;
  }
  void bus(const std::string& name, uint64_t v, int w, int base, uint64_t len) {
    for (int b = 0; b < w; ++b) bit(name + "[" + std::to_string(base + b) + "]", static_cast<int>((v >> b) & 1), len);
  }
  void inputs(const ArrayInputs& in, Geometry g, uint64_t len) {
    bit("rst_ni", 1, len);
    bit("key_valid_i", in.key_valid, len);
    bit("key_bit_i", in.key_bit, len);
    bit("w_valid_i", in.w_valid, len);
    bus("w_row_i", in.w_row, 2, 0, len);  // 4 rows: 2 bits
    bit("w_bank_i", in.w_bank, len);
    for (int c = 0; c < g.cols; ++c) bus("w_data_i", static_cast<uint8_t>(in.w_data[static_cast<size_t>(c)]), 8, 8 * c, len);
    bit("a_valid_i", in.a_valid, len);
    bit("a_bank_i", in.a_bank, len);
    for (int r = 0; r < g.rows; ++r) bus("a_data_i", static_cast<uint8_t>(in.a_data[static_cast<size_t>(r)]), 8, 8 * r, len);
  }
  void outputs(const ArrayOutputs& out, Geometry g, uint64_t len) {
    bit("key_sealed_o", out.key_sealed, len);
    bit("key_err_o", out.key_err, len);
    bit("psum_valid_o", out.psum_valid, len);
    for (int c = 0; c < g.cols; ++c)
      bus("psum_data_o", static_cast<uint32_t>(out.psum_data[static_cast<size_t>(c)]), 32, 32 * c, len);
  }
};

TEST(RtlSaif, RtlHierarchySaifHoldsTheBoundaryTogglesOfTheCycleModel) {
  const Geometry g = Geometry::make(4, 4);
  auto rtl = rtl::make_rtl_array(4, 4, true);
  ASSERT_TRUE(rtl) << "no verilated keyed 4x4 km_array in this build";

  // A short keyed layer: 3 K-tiles x 2 N-tiles, some zero activations.
  const GemmShape shape{6, 10, 7};
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> d(-128, 127), z(0, 3);
  std::vector<int8_t> x, w;
  for (int64_t i = 0; i < shape.m * shape.k; ++i) x.push_back(z(rng) ? static_cast<int8_t>(d(rng)) : 0);
  for (int64_t i = 0; i < shape.k * shape.n; ++i) w.push_back(static_cast<int8_t>(d(rng)));
  Key key(g);
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) key.set(r, c, z(rng) & 1);

  const std::string vcd = tmp("rtl.vcd"), saif = tmp("rtl.saif");
  rtl->reset();
  rtl->trace_open(vcd, 10);  // 10 ps per cycle: the arithmetic below (10t, 10t+5)

  // The model (the device's outputs) and the RTL (rtl_out, read before its
  // edge) stepped together by the CycleDriver.
  struct Both : CycleDevice {
    WsArrayCore core;
    rtl::RtlArray& rtl;
    ArrayOutputs rtl_out;
    Both(Geometry g, rtl::RtlArray& r) : core(g, true), rtl(r) { rtl_out.resize(g); }
    void reset() override { core.reset(); }  // the RTL was reset before its trace opened
    void step(const ArrayInputs& in, ArrayOutputs& out) override {
      rtl.set_key(in.key_valid, in.key_bit);
      rtl.set_weights(in.w_valid, in.w_row, in.w_bank, in.w_data);
      rtl.set_activations(in.a_valid, in.a_bank, in.a_data);
      rtl_out.psum_valid = rtl.psum_valid();
      rtl_out.key_sealed = rtl.key_sealed();
      for (int c = 0; c < rtl.cols(); ++c) rtl_out.psum_data[static_cast<size_t>(c)] = rtl.psum(c);
      core.step(in, out);
      rtl.step();
    }
  } both(g, *rtl);
  CycleDriver drive(both, g);
  drive.reset();
  PortCounts pc;
  drive.set_observer([&](const CycleView& v) {
    // The model and the RTL agree on every output of every cycle (co-simulation).
    const uint64_t n = v.cycle;
    EXPECT_EQ(both.rtl_out.psum_valid, v.out.psum_valid) << "cycle " << n;
    EXPECT_EQ(both.rtl_out.key_sealed, v.out.key_sealed) << "cycle " << n;
    for (int c = 0; c < g.cols; ++c)
      EXPECT_EQ(both.rtl_out.psum_data[static_cast<size_t>(c)], v.out.psum_data[static_cast<size_t>(c)]) << "cycle " << n;
    pc.inputs(v.in, g, 10);
    pc.outputs(v.out, g, n == 0 ? 5 : 10);  // cycle 0's outputs from the first timestamp
    return !HasFailure();
  });
  ASSERT_TRUE(drive.load_key(key.serial()));
  const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(shape);
  Sequencer seq(GemmProblem{shape, x.data(), w.data(), g}, plan);
  ASSERT_TRUE(drive.run_layer(seq));
  const uint64_t n = drive.cycle();  // cycles stepped since reset
  ArrayOutputs out;
  out.resize(g);
  WsArrayCore& core = both.core;
  // Outputs of cycle n (after the last edge) until the closing timestamp; the
  // inputs are left as they are, so the closing dump adds no input change.
  core.outputs(out);
  pc.outputs(out, g, 5);
  rtl->trace_close();

  std::vector<int32_t> ref(static_cast<size_t>(shape.m * shape.n));
  keyed_gemm(x.data(), w.data(), shape, g, &key, ref.data());
  ASSERT_EQ(seq.y(), ref);

  const auto res = vcd_to_saif_file(vcd, saif, kRtlScope);
  const auto s = saif_reader::read(saif);
  for (const char* h : {"SAIFVERSION", "DIRECTION", "DESIGN", "DATE", "VENDOR", "PROGRAM_NAME", "VERSION", "DIVIDER",
                        "TIMESCALE", "DURATION"})
    EXPECT_TRUE(s.header.count(h)) << h;
  EXPECT_EQ(s.header.at("DIRECTION"), "backward");
  const uint64_t dur = 10 * n;
  EXPECT_EQ(s.header.at("DURATION"), std::to_string(dur));
  EXPECT_EQ(res.duration, dur);
  EXPECT_EQ(res.nets, s.nets.size());

  // (a) The RTL hierarchy: km_array / g_row[r] / g_col[c] / u_pe / <nets>.
  std::set<std::string> pes;
  for (const auto& [path, st] : s.nets) {
    ASSERT_EQ(path.rfind("km_array/", 0), 0u) << path;
    const auto u = path.find("/u_pe/");
    if (u != std::string::npos) pes.insert(path.substr(0, u + 5));
  }
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) {
      const std::string pe = "km_array/g_row[" + std::to_string(r) + "]/g_col[" + std::to_string(c) + "]/u_pe";
      EXPECT_TRUE(pes.count(pe)) << pe << " missing; PE instances found: " << pes.size();
    }
  EXPECT_EQ(pes.size(), static_cast<size_t>(g.pes()));

  // (b) Boundary ports: TC and T1 equal the model's counts with the VCD timing.
  uint64_t toggles = 0;
  for (const auto& [net, tc] : pc.tc) {
    auto it = s.nets.find("km_array/" + net);
    ASSERT_NE(it, s.nets.end()) << net;
    EXPECT_EQ(it->second.tc, tc) << net;
    EXPECT_EQ(it->second.t1, pc.t1.at(net)) << net;
    EXPECT_EQ(it->second.tx, 0u) << net;
    EXPECT_EQ(it->second.t0 + it->second.t1 + it->second.tx, dur) << net;
    toggles += tc;
  }
  EXPECT_GT(toggles, 500u);  // a real run, not an idle one
  // The clock: low at 10t, high at 10t+5, low again at the closing timestamp.
  const auto clk = s.nets.at("km_array/clk_i");
  EXPECT_EQ(clk.tc, 2 * n);
  EXPECT_EQ(clk.t1, 5 * n);

  // As `keymac run --backend rtl --saif` writes it: 10 units of 100 ps per
  // cycle (1 ns), the same counts; a malformed timescale is refused.
  const std::string saif_ns = tmp("rtl_ns.saif");
  vcd_to_saif_file(vcd, saif_ns, kRtlScope, "100 ps");
  const auto s2 = saif_reader::read(saif_ns);
  EXPECT_EQ(s2.header.at("TIMESCALE"), "100 ps");
  EXPECT_EQ(s2.header.at("DURATION"), s.header.at("DURATION"));
  ASSERT_EQ(s2.nets.size(), s.nets.size());
  for (const auto& [net, st] : s.nets) {
    EXPECT_EQ(s2.nets.at(net).tc, st.tc) << net;
    EXPECT_EQ(s2.nets.at(net).t1, st.t1) << net;
  }
  EXPECT_THROW(vcd_to_saif_file(vcd, saif_ns, kRtlScope, "3 ps"), Error);
  EXPECT_THROW(vcd_to_saif_file(vcd, saif_ns, kRtlScope, "100ps"), Error);
  fs::remove_all(fs::path(vcd).parent_path());
}

}  // namespace
}  // namespace keymac::traces
