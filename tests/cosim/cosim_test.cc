// Co-simulation of the SystemC model's cycle core (both modes) and the
// verilated RTL: every port compared every cycle on random layers, random keys
// and many geometries; and the checker is shown to fail on an injected fault,
// at the first cycle the spec predicts.
#include <gtest/gtest.h>

#include <random>

#include "host/cosim/lockstep.h"
#include "rtl_models.h"
#include "sim/core/error.h"

namespace keymac {
namespace {

struct Layer {
  GemmShape s;
  std::vector<int8_t> x, w;
};

Layer random_layer(std::mt19937_64& rng, int max_dim, bool nonzero = false) {
  std::uniform_int_distribution<int> dim(1, max_dim), w8(-127, 127), a8(-128, 127);
  Layer l;
  l.s = GemmShape{dim(rng), dim(rng), dim(rng)};
  l.x.resize(static_cast<size_t>(l.s.m * l.s.k));
  l.w.resize(static_cast<size_t>(l.s.k * l.s.n));
  for (auto& v : l.x) v = static_cast<int8_t>(a8(rng));
  for (auto& v : l.w) v = static_cast<int8_t>(w8(rng));
  if (nonzero) {
    for (auto& v : l.x) if (v == 0) v = 1;
    for (auto& v : l.w) if (v == 0) v = 1;
  }
  return l;
}

// Independent reference written here: plain GEMM of the unlocked weights.
std::vector<int32_t> plain_gemm(const Layer& l, const std::vector<int8_t>& w) {
  std::vector<int32_t> y(static_cast<size_t>(l.s.m * l.s.n));
  for (int64_t i = 0; i < l.s.m; ++i)
    for (int64_t j = 0; j < l.s.n; ++j) {
      int64_t acc = 0;
      for (int64_t k = 0; k < l.s.k; ++k) acc += int64_t(l.x[static_cast<size_t>(i * l.s.k + k)]) * w[static_cast<size_t>(k * l.s.n + j)];
      y[static_cast<size_t>(i * l.s.n + j)] = static_cast<int32_t>(static_cast<uint32_t>(acc));
    }
  return y;
}

std::vector<uint8_t> random_bits(std::mt19937_64& rng, Geometry g) {
  std::vector<uint8_t> b(static_cast<size_t>(g.pes()));
  for (auto& v : b) v = rng() & 1;
  return b;
}

class CosimGeometry : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(CosimGeometry, RandomLayersAndKeysAreBitAndCycleIdenticalAtTheBoundary) {
  const Geometry g = Geometry::make(GetParam().first, GetParam().second);
  std::mt19937_64 rng(1000 + g.rows * 100 + g.cols);
  for (int round = 0; round < 2; ++round) {
    Lockstep ls(g, true);
    const auto bits = random_bits(rng, g);
    ASSERT_FALSE(ls.load_key(bits, bits));
    for (int t = 0; t < 3; ++t) {
      Layer l = random_layer(rng, 2 * std::max(g.rows, g.cols) + 3);
      // Lock the weights with the key (independently of the code under test).
      std::vector<int8_t> locked = l.w;
      for (int64_t k = 0; k < l.s.k; ++k)
        for (int64_t n = 0; n < l.s.n; ++n)
          if (bits[static_cast<size_t>((k % g.rows) * g.cols + n % g.cols)]) locked[static_cast<size_t>(k * l.s.n + n)] *= -1;
      std::vector<int32_t> y;
      const uint64_t before = ls.cycles();
      auto mm = ls.run_layer(GemmProblem{l.s, l.x.data(), locked.data(), g}, y);
      ASSERT_FALSE(mm) << mm->str();
      EXPECT_EQ(y, plain_gemm(l, l.w));
      const int64_t folds = ((l.s.k + g.rows - 1) / g.rows) * ((l.s.n + g.cols - 1) / g.cols);
      EXPECT_EQ(static_cast<int64_t>(ls.cycles() - before), (folds - 1) * std::max<int64_t>(l.s.m, g.rows) + l.s.m + g.rows + g.cols);
    }
  }
}

TEST(CosimPlain, PlainFourByFourArrayIsIdenticalAndComputesThePlainGemm) {
  const Geometry g = Geometry::make(4, 4);  // the plain (Keyed = 0) RTL built by default
  std::mt19937_64 rng(7);
  Lockstep ls(g, false);
  ASSERT_FALSE(ls.load_key({}, {}));
  for (int t = 0; t < 3; ++t) {
    Layer l = random_layer(rng, 20);
    std::vector<int32_t> y;
    auto mm = ls.run_layer(GemmProblem{l.s, l.x.data(), l.w.data(), g}, y);
    ASSERT_FALSE(mm) << mm->str();
    EXPECT_EQ(y, plain_gemm(l, l.w));
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, CosimGeometry,
                         ::testing::Values(std::pair{1, 1}, std::pair{2, 3}, std::pair{4, 4}, std::pair{8, 4},
                                           std::pair{8, 8}, std::pair{16, 16}),
                         [](const auto& info) { return std::to_string(info.param.first) + "x" + std::to_string(info.param.second); });

// The first cycle in which PE (r, c)'s product reaches the output, from the
// spec's schedule (section 8): activation i of fold f is presented in cycle
// f*P + 1 + i and its sums leave R + C - 1 cycles later; the key load before
// it takes R*C cycles plus one idle cycle.
uint64_t first_affected_cycle(const Layer& l, Geometry g, int r, int c) {
  const int64_t kt_n = (l.s.k + g.rows - 1) / g.rows, nt_n = (l.s.n + g.cols - 1) / g.cols;
  const int64_t P = std::max<int64_t>(l.s.m, g.rows);
  for (int64_t nt = 0; nt < nt_n; ++nt)
    for (int64_t kt = 0; kt < kt_n; ++kt) {
      const int64_t k = kt * g.rows + r, n = nt * g.cols + c, f = nt * kt_n + kt;
      if (k >= l.s.k || n >= l.s.n) continue;
      for (int64_t i = 0; i < l.s.m; ++i)
        if (l.x[static_cast<size_t>(i * l.s.k + k)] != 0 && l.w[static_cast<size_t>(k * l.s.n + n)] != 0)
          return static_cast<uint64_t>(g.pes() + 1 + f * P + 1 + i + g.rows + g.cols - 1);
    }
  return 0;
}

TEST(CosimChecker, OneKeyBitFlippedInTheRtlOnlyIsCaughtAtTheFirstAffectedCycle) {
  std::mt19937_64 rng(77);
  for (auto [R, C] : {std::pair{4, 4}, std::pair{8, 8}, std::pair{2, 3}}) {
    const Geometry g = Geometry::make(R, C);
    for (int trial = 0; trial < 4; ++trial) {
      Layer l = random_layer(rng, 3 * std::max(R, C), trial % 2 == 0);
      const int r = static_cast<int>(rng() % static_cast<uint64_t>(std::min<int64_t>(R, l.s.k)));
      const int c = static_cast<int>(rng() % static_cast<uint64_t>(std::min<int64_t>(C, l.s.n)));
      const uint64_t expect = first_affected_cycle(l, g, r, c);
      if (expect == 0) continue;  // PE (r, c) only ever multiplies zeros: nothing to see
      auto bits = random_bits(rng, g);
      auto rtl_bits = bits;
      rtl_bits[static_cast<size_t>(r * C + c)] ^= 1;
      Lockstep ls(g, true);
      ASSERT_FALSE(ls.load_key(bits, rtl_bits)) << "the key port itself shows no difference";
      std::vector<int32_t> y;
      auto mm = ls.run_layer(GemmProblem{l.s, l.x.data(), l.w.data(), g}, y);
      ASSERT_TRUE(mm) << "fault at PE (" << r << "," << c << ") not caught on " << g.str();
      EXPECT_EQ(mm->cycle, expect) << mm->str();
      EXPECT_EQ(mm->signal, "psum_data_o[" + std::to_string(c) + "] (column " + std::to_string(c) + ")") << mm->str();
      EXPECT_NE(mm->model_value, mm->rtl_value);
    }
  }
}

TEST(CosimChecker, MismatchWritesAWaveformWindow) {
  const Geometry g = Geometry::make(4, 4);
  std::mt19937_64 rng(5);
  Layer l = random_layer(rng, 10, true);
  auto bits = random_bits(rng, g);
  auto rtl_bits = bits;
  rtl_bits[0] ^= 1;
  Lockstep ls(g, true);
  const std::string wave = ::testing::TempDir() + "/mismatch.vcd";
  ls.set_wave(wave, 8);
  ASSERT_FALSE(ls.load_key(bits, rtl_bits));
  std::vector<int32_t> y;
  auto mm = ls.run_layer(GemmProblem{l.s, l.x.data(), l.w.data(), g}, y);
  ASSERT_TRUE(mm);
  EXPECT_EQ(mm->wave_path, wave);
  std::FILE* f = std::fopen(wave.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char head[64] = {};
  ASSERT_GT(std::fread(head, 1, sizeof head - 1, f), 0u);
  std::fclose(f);
  EXPECT_NE(std::string(head).find("$"), std::string::npos) << "not a VCD";
}

TEST(CosimChecker, UnbuiltGeometryIsRefusedWithTheList) {
  try {
    Lockstep ls(Geometry::make(5, 7), true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("16x16"), std::string::npos) << e.what();
  }
}

// Every output port of the port table is compared, each lane once: a
// difference on exactly one lane is reported under that lane's name (the
// section 7 names; psum_data_o lane c as "psum_data_o[c] (column c)") with
// both values, and equal outputs report nothing.
TEST(CosimChecker, EveryOutputPortAndLaneIsComparedUnderItsOwnName) {
  const Geometry g = Geometry::make(2, 3);
  ArrayOutputs model;
  model.resize(g);
  model.psum_valid = true;
  for (int c = 0; c < 3; ++c) model.psum_data[size_t(c)] = -5 - c;
  EXPECT_FALSE(first_output_mismatch(g, model, model));
  std::vector<std::pair<std::string, ArrayOutputs>> cases;
  auto add = [&](const std::string& name, auto change) {
    ArrayOutputs rtl = model;
    change(rtl);
    cases.emplace_back(name, rtl);
  };
  add("key_sealed_o", [](ArrayOutputs& o) { o.key_sealed = true; });
  add("key_err_o", [](ArrayOutputs& o) { o.key_err = true; });
  add("psum_valid_o", [](ArrayOutputs& o) { o.psum_valid = false; });
  for (int c = 0; c < 3; ++c)
    add("psum_data_o[" + std::to_string(c) + "] (column " + std::to_string(c) + ")",
        [c](ArrayOutputs& o) { o.psum_data[size_t(c)] = 1000 + c; });
  size_t lanes = 0;
  for (const PortDesc& p : array_ports(2, 3)) lanes += p.input ? 0 : std::string(p.name) == "psum_data_o" ? 3 : 1;
  EXPECT_EQ(cases.size(), lanes) << "an output port of the table is missing from this test";
  for (const auto& [name, rtl] : cases) {
    const auto m = first_output_mismatch(g, model, rtl);
    ASSERT_TRUE(m) << name;
    EXPECT_EQ(m->signal, name);
    EXPECT_NE(m->model_value, m->rtl_value) << name;
  }
  const auto m = first_output_mismatch(g, model, cases.back().second);
  EXPECT_EQ(m->model_value, "-7");
  EXPECT_EQ(m->rtl_value, "1002");
}

// The verilated glue takes lane vectors of exactly the port's width
// (w_data_i: C lanes of 8 bits), refusing any other count with the port's name.
TEST(CosimChecker, RtlGlueRefusesALaneVectorOfTheWrongSize) {
  auto rtl = rtl::make_rtl_array(2, 3, true);
  ASSERT_TRUE(rtl) << "no verilated keyed 2x3 km_array in this build";
  ArrayInputs in;
  in.resize(Geometry::make(2, 3));
  EXPECT_NO_THROW(rtl->set_inputs(in));
  in.w_data.push_back(0);
  try {
    rtl->set_inputs(in);
    ADD_FAILURE() << "4 weight lanes on a 3-column array were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "rtl_array: w_data_i needs 3 lanes, got 4");
  }
}

}  // namespace
}  // namespace keymac
