// KmArray<R, C>: the port-level SystemC shell the RTL co-simulation binds,
// driven cycle by cycle by the Sequencer through RTL-typed signals.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <regex>
#include <string>

#include "sim/core/cycle_driver.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/sequencer.h"
#include "sim/model/km_array.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

constexpr int R = 3, C = 5;  // w_data 40 bits (uint64_t), a_data 24 (uint32_t), psum 160 (sc_bv)

// clk_i is bound to the clock, every other port to its signal.
template <Port Id, class P, class S>
void bind_port(P& port, S& sig, sc_core::sc_clock& clk) {
  if constexpr (Id == Port::clk_i) port(clk);
  else port(sig);
}

// A signal per port of the table (RTL-typed), KmArray bound to them, stepped
// by the CycleDriver: reset() holds rst_ni low over three rising edges,
// step() reads the (registered) outputs of the cycle, drives its inputs, then
// lets one clock period (the rising edge ending the cycle) pass.
struct Bench : CycleDevice {
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
#define KEYMAC_BENCH_SIGNAL_(n, i, w, f) sc_core::sc_signal<VlPort<w>> n{#n};
  KEYMAC_ARRAY_PORTS(KEYMAC_BENCH_SIGNAL_)
#undef KEYMAC_BENCH_SIGNAL_
  KmArray<R, C> dut{"km_array"};
  Bench() {
#define KEYMAC_BENCH_BIND_(n, i, w, f) bind_port<Port::n>(dut.n, n, clk);
    KEYMAC_ARRAY_PORTS(KEYMAC_BENCH_BIND_)
#undef KEYMAC_BENCH_BIND_
  }
  // Synchronous reset over the rising edges at 0, 10 and 20 ns; inputs are
  // then always written between edges, one period per cycle.
  void reset() override {
    rst_ni = false;
    sc_core::sc_start(25, sc_core::SC_NS);
    rst_ni = true;
    sc_core::sc_start(5, sc_core::SC_NS);
  }
  void step(const ArrayInputs& in, ArrayOutputs& out) override {
#define KEYMAC_BENCH_IO_(n, i, w, f)                            \
  write_port<i, w>(n, KEYMAC_PORT_GETTER(i, f), in, NoPorts{}); \
  read_port<!(i), w>(n, KEYMAC_PORT_GETTER(i, f), NoPorts{}, out);
    KEYMAC_ARRAY_PORTS(KEYMAC_BENCH_IO_)
#undef KEYMAC_BENCH_IO_
    sc_core::sc_start(10, sc_core::SC_NS);
  }
};

TEST(KmArrayPortsTest, SequencerDrivenPortsGiveKeyedGemmClosedFormCyclesAndRefuseKeyReload) {
  Bench tb;
  const Geometry g = Geometry::make(R, C);
  CycleDriver drive(tb, g);
  drive.reset();
  const Key key = Key::seeded_random(g, 42);
  std::vector<ArrayOutputs> outs;
  auto keep = [&](const CycleView& v) {
    outs.push_back(v.out);
    return true;
  };
  drive.set_observer(keep);
  drive.load_key(key.serial());
  ASSERT_EQ(outs.size(), size_t(g.pes()));
  for (const auto& o : outs) EXPECT_FALSE(o.key_sealed);
  outs.clear();
  drive.idle(1);
  EXPECT_TRUE(outs.at(0).key_sealed);

  std::mt19937_64 rng(5);
  const GemmShape s{9, 8, 12};
  auto x = test::random_s8(size_t(s.m * s.k), rng);
  auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
  const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(s);
  Sequencer seq(GemmProblem{s, x.data(), w.data(), g}, plan);
  int64_t last_valid = -1;
  drive.set_observer([&](const CycleView& v) {
    const int64_t t = v.phase == CyclePhase::kLayer ? v.index : seq.cycles() + v.index;
    if (v.out.psum_valid) last_valid = t;
    if (v.phase == CyclePhase::kIdle) seq.collect(t, v.out);  // no stray valid row after the layer
    return true;
  });
  drive.run_layer(seq);
  drive.idle(4);
  std::vector<int32_t> ref(size_t(s.m * s.n));
  keyed_gemm(x.data(), w.data(), s, g, &key, ref.data());
  EXPECT_EQ(seq.y(), ref);
  EXPECT_EQ(last_valid + 1, test::closed_form_cycles(s.m, s.k, s.n, R, C));

  // A second key load while sealed is refused: key_err_o rises and stays.
  outs.clear();
  drive.set_observer(keep);
  drive.load_key(std::vector<uint8_t>(1, 1));
  drive.idle(2);
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_FALSE(outs[0].key_err);
  EXPECT_TRUE(outs[1].key_err);
  EXPECT_TRUE(outs[2].key_err);
  EXPECT_EQ(tb.dut.core().key().bits(), key.serial());
}

// The port table of sim/core/array_ports.h, iterated by KmArray and the
// tracers, against the RTL's own port list (rtl/km_array.sv, read as text)
// and against widths worked out from ARCHITECTURE.md section 7.
TEST(KmArrayPortsTest, PortTableMatchesTheRtlPortListAndKmArrayPorts) {
  std::ifstream f(KEYMAC_SOURCE_DIR "/rtl/km_array.sv");
  ASSERT_TRUE(f) << "rtl/km_array.sv";
  const std::regex decl(R"(^\s*(input|output)\s+logic\s*(?:\[[^\]]*\])?\s*(\w+))");
  std::vector<std::pair<std::string, bool>> rtl;
  bool in_ports = false, expanded_only = false;
  std::vector<std::string> expanded_ports;  // KeyMode = 1 only (docs/RTL.md), not section 7's
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("module km_array", 0) == 0) in_ports = true;
    if (!in_ports) continue;
    if (line.rfind(");", 0) == 0) break;
    if (line.rfind("`ifdef KM_KEY_EXPANDED", 0) == 0) expanded_only = true;
    if (line.rfind("`endif", 0) == 0) expanded_only = false;
    std::smatch m;
    if (std::regex_search(line, m, decl)) {
      if (expanded_only) expanded_ports.push_back(m[2].str());
      else rtl.emplace_back(m[2].str(), m[1].str() == "input");
    }
  }
  EXPECT_EQ(expanded_ports, (std::vector<std::string>{"kx_start_i", "kx_iv_i"}));
  const auto table = array_ports(R, C);
  ASSERT_EQ(rtl.size(), table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(rtl[i].first, table[i].name) << i;
    EXPECT_EQ(rtl[i].second, table[i].input) << table[i].name;
  }
  // Widths for 3 x 5: w_row ceil(log2 3) = 2, C int8 weights, R int8
  // activations, C int32 sums; everything else one bit.
  for (const PortDesc& p : table) {
    const std::string n = p.name;
    const int want = n == "w_row_i" ? 2 : n == "w_data_i" ? 40 : n == "a_data_i" ? 24 : n == "psum_data_o" ? 160 : 1;
    EXPECT_EQ(p.width, want) << n;
  }
  // KmArray's SystemC ports: the same names, order and directions.
  KmArray<R, C> dut{"dut"};
  std::vector<std::pair<std::string, bool>> sc;
  for (sc_core::sc_object* o : dut.get_child_objects()) {
    const std::string kind = o->kind();
    if (kind == "sc_in" || kind == "sc_out") sc.emplace_back(o->basename(), kind == "sc_in");
  }
  EXPECT_EQ(sc, rtl);
}

// Each port's field (the table's 4th column) is its own member of
// ArrayInputs / ArrayOutputs, lanes times lane bits is the port's width, and
// the member takes part in the structs' ==, which the co-simulation and the
// tests compare with: a value in one port's top lane shows on that port and
// no other when the table is iterated. Only clk_i and rst_ni have no field.
TEST(KmArrayPortsTest, EveryPortFieldIsADistinctComparedMemberAtThePortWidth) {
  const Geometry g = Geometry::make(R, C);
  size_t with_field = 0;
  for_each_port_field<true, true>(R, C, [&](const PortDesc& d, Port id, auto get) {
    ArrayInputs in, in0;
    ArrayOutputs out, out0;
    for (auto* p : {&in, &in0}) p->resize(g);
    for (auto* p : {&out, &out0}) p->resize(g);
    auto&& f = get(in, out);
    using T = std::decay_t<decltype(f)>;
    if constexpr (std::is_same_v<T, NoField>) {
      EXPECT_TRUE(std::string(d.name) == "clk_i" || std::string(d.name) == "rst_ni") << d.name;
    } else {
      ++with_field;
      const size_t lanes = port_lanes::count(f);
      ASSERT_GT(lanes, 0u) << d.name;
      EXPECT_EQ(int(lanes) * port_lanes::bits(f, d.width), d.width) << d.name;
      port_lanes::set_lane(f, lanes - 1, 1);
      EXPECT_TRUE(d.input ? !(in == in0) : !(out == out0)) << d.name << " is not compared by ==";
      for_each_port(R, C, in, out, [&](const PortDesc& e, Port other, const auto& fe) {
        bool set = false;
        for (size_t l = 0; l < port_lanes::count(fe); ++l) set = set || port_lanes::lane(fe, l) != 0;
        EXPECT_EQ(set, other == id) << "a value on " << d.name << " shows on " << e.name;
      });
    }
  });
  EXPECT_EQ(with_field, kArrayPortCount - 2);
}

}  // namespace
}  // namespace keymac
