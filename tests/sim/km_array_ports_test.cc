// KmArray<R, C>: the port-level SystemC shell the RTL co-simulation binds,
// driven cycle by cycle by the Sequencer through RTL-typed signals.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <regex>
#include <string>

#include "sim/core/keyed_gemm.h"
#include "sim/core/sequencer.h"
#include "sim/model/km_array.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

constexpr int R = 3, C = 5;  // w_data 40 bits (uint64_t), a_data 24 (uint32_t), psum 160 (sc_bv)

struct Bench {
  sc_core::sc_clock clk{"clk", 10, sc_core::SC_NS};
  sc_core::sc_signal<bool> rst_n{"rst_n"}, key_valid{"key_valid"}, key_bit{"key_bit"},
      key_sealed{"key_sealed"}, key_err{"key_err"}, w_valid{"w_valid"}, w_bank{"w_bank"},
      a_valid{"a_valid"}, a_bank{"a_bank"}, psum_valid{"psum_valid"};
  sc_core::sc_signal<VlPort<params::index_width(R)>> w_row{"w_row"};
  sc_core::sc_signal<VlPort<8 * C>> w_data{"w_data"};
  sc_core::sc_signal<VlPort<8 * R>> a_data{"a_data"};
  sc_core::sc_signal<VlPort<32 * C>> psum_data{"psum_data"};
  KmArray<R, C> dut{"km_array"};
  Bench() {
    dut.clk_i(clk);
    dut.rst_ni(rst_n);
    dut.key_valid_i(key_valid);
    dut.key_bit_i(key_bit);
    dut.key_sealed_o(key_sealed);
    dut.key_err_o(key_err);
    dut.w_valid_i(w_valid);
    dut.w_row_i(w_row);
    dut.w_bank_i(w_bank);
    dut.w_data_i(w_data);
    dut.a_valid_i(a_valid);
    dut.a_bank_i(a_bank);
    dut.a_data_i(a_data);
    dut.psum_valid_o(psum_valid);
    dut.psum_data_o(psum_data);
  }
  // One cycle: read the (registered) outputs of the cycle, drive its inputs,
  // then let one clock period (the rising edge ending the cycle) pass.
  ArrayOutputs cycle(const ArrayInputs& in) {
    ArrayOutputs out;
    out.resize(Geometry::make(R, C));
    out.key_sealed = key_sealed.read();
    out.key_err = key_err.read();
    out.psum_valid = psum_valid.read();
    unpack_lanes<32 * C>(psum_data.read(), out.psum_data, 32);
    key_valid = in.key_valid;
    key_bit = in.key_bit;
    w_valid = in.w_valid;
    w_row = static_cast<VlPort<params::index_width(R)>>(in.w_row);
    w_bank = in.w_bank;
    w_data = pack_lanes<8 * C>(in.w_data, 8);
    a_valid = in.a_valid;
    a_bank = in.a_bank;
    a_data = pack_lanes<8 * R>(in.a_data, 8);
    sc_core::sc_start(10, sc_core::SC_NS);
    return out;
  }
};

TEST(KmArrayPortsTest, SequencerDrivenPortsGiveKeyedGemmClosedFormCyclesAndRefuseKeyReload) {
  Bench tb;
  const Geometry g = Geometry::make(R, C);
  // Synchronous reset over the rising edges at 0, 10 and 20 ns; inputs are
  // then always written between edges, one period per cycle.
  tb.rst_n = false;
  sc_core::sc_start(25, sc_core::SC_NS);
  tb.rst_n = true;
  sc_core::sc_start(5, sc_core::SC_NS);
  const Key key = Key::seeded_random(g, 42);
  ArrayInputs in;
  in.resize(g);
  for (int j = 0; j < g.pes(); ++j) {
    Sequencer::key_inputs(key.serial(), j, in);
    EXPECT_FALSE(tb.cycle(in).key_sealed);
  }
  in.idle();
  EXPECT_TRUE(tb.cycle(in).key_sealed);

  std::mt19937_64 rng(5);
  const GemmShape s{9, 8, 12};
  auto x = test::random_s8(size_t(s.m * s.k), rng);
  auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
  const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(s);
  Sequencer seq(GemmProblem{s, x.data(), w.data(), g}, plan);
  int64_t last_valid = -1;
  for (int64_t t = 0; t < seq.cycles() + 4; ++t) {
    seq.inputs(t, in);
    const ArrayOutputs out = tb.cycle(in);
    seq.collect(t, out);
    if (out.psum_valid) last_valid = t;
  }
  std::vector<int32_t> ref(size_t(s.m * s.n));
  keyed_gemm(x.data(), w.data(), s, g, &key, ref.data());
  EXPECT_EQ(seq.y(), ref);
  EXPECT_EQ(last_valid + 1, test::closed_form_cycles(s.m, s.k, s.n, R, C));

  // A second key load while sealed is refused: key_err_o rises and stays.
  Sequencer::key_inputs(std::vector<uint8_t>(size_t(g.pes()), 1), 0, in);
  EXPECT_FALSE(tb.cycle(in).key_err);
  in.idle();
  EXPECT_TRUE(tb.cycle(in).key_err);
  EXPECT_TRUE(tb.cycle(in).key_err);
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

}  // namespace
}  // namespace keymac
