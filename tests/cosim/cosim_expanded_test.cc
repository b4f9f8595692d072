// Co-simulation of the expanded key mode (ARCHITECTURE.md section 11): the
// verilated KeyMode = 1 km_array (key unit + per-PE key bits) against the
// SystemC model's cycle core, every port every cycle, on 4x4, 8x8 and 8x4;
// and an inverted stored key bit in one PE of the RTL is caught at the cycle
// and column the spec predicts. References written here: the spec's stream
// index over sim/core/trivium (eSTREAM-checked) and a plain int64 GEMM.
#include <gtest/gtest.h>

#include <random>

#include "host/cosim/lockstep.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/trivium.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

Trivium::Iv80 iv_of(uint64_t nonce, int64_t layer) {
  Trivium::Iv80 iv{};
  for (int i = 0; i < 8; ++i) iv[size_t(i)] = uint8_t(nonce >> (8 * i));
  iv[8] = uint8_t(layer & 0xff);
  iv[9] = uint8_t(layer >> 8);
  return iv;
}

std::vector<int8_t> lock_by_spec(const std::vector<int8_t>& w, int64_t K, int64_t N, Geometry g, const MasterKey& mk,
                                 uint64_t nonce, int64_t layer) {
  const int64_t R = g.rows, C = g.cols, kt = (K + R - 1) / R, nt = (N + C - 1) / C;
  std::vector<uint8_t> z;
  Trivium(mk.bytes(), iv_of(nonce, layer)).generate(kt * nt * R * C, z);
  auto out = w;
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n)
      if (z[size_t((((n / C) * kt + k / R) * R + k % R) * C + n % C)]) out[size_t(k * N + n)] = int8_t(-w[size_t(k * N + n)]);
  return out;
}

std::vector<uint8_t> master_bits(const MasterKey& mk) {
  std::vector<uint8_t> b(80);
  for (int i = 0; i < 80; ++i) b[size_t(i)] = uint8_t(mk.bit(i));
  return b;
}

class CosimExpanded : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(CosimExpanded, LayersLockedWithTheMasterKeyAreBitAndCycleIdenticalAndGiveThePlainGemm) {
  const Geometry g = Geometry::make(GetParam().first, GetParam().second);
  std::mt19937_64 rng(2000 + g.rows * 100 + g.cols);
  const MasterKey mk = MasterKey::seeded_random(rng());
  const uint64_t nonce = rng();
  const ExpandedKeySource src(g, mk, nonce);
  Lockstep ls(g, true, true);
  ls.set_expanded_key(src);
  ASSERT_FALSE(ls.load_key(master_bits(mk), master_bits(mk)));
  const int64_t warm = (1152 + g.cols - 1) / g.cols;
  for (int64_t layer = 0; layer < 4; ++layer) {
    const int dmax = 2 * std::max(g.rows, g.cols) + 3;
    const GemmShape s{1 + int64_t(rng() % dmax), 1 + int64_t(rng() % dmax), 1 + int64_t(rng() % dmax)};
    auto x = test::random_s8(size_t(s.m * s.k), rng);
    auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
    const auto locked = lock_by_spec(w, s.k, s.n, g, mk, nonce, layer);
    std::vector<int32_t> y;
    const uint64_t before = ls.cycles();
    auto mm = ls.run_layer(GemmProblem{s, x.data(), locked.data(), g}, y, layer);
    ASSERT_FALSE(mm) << mm->str();
    EXPECT_EQ(y, test::plain_gemm(x, w, s.m, s.k, s.n)) << "layer " << layer;
    EXPECT_EQ(int64_t(ls.cycles() - before), warm + test::closed_form_cycles(s.m, s.k, s.n, g.rows, g.cols));
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, CosimExpanded,
                         ::testing::Values(std::make_pair(4, 4), std::make_pair(8, 8), std::make_pair(8, 4)),
                         [](const auto& info) {
                           return std::to_string(info.param.first) + "x" + std::to_string(info.param.second);
                         });

TEST(CosimExpandedFault, AnInvertedStoredKeyBitIsCaughtInItsColumnWhenTheFirstRowLeaves) {
  for (auto [rows, cols, fr, fc] : {std::array<int, 4>{4, 4, 2, 3}, std::array<int, 4>{8, 4, 0, 1}, std::array<int, 4>{8, 8, 7, 0}}) {
    const Geometry g = Geometry::make(rows, cols);
    std::mt19937_64 rng(31 + rows + cols);
    const MasterKey mk = MasterKey::seeded_random(rng());
    const ExpandedKeySource src(g, mk, 5);
    Lockstep ls(g, true, true);
    ls.set_expanded_key(src);
    ls.set_key_fault(fr, fc);
    ASSERT_FALSE(ls.load_key(master_bits(mk), master_bits(mk))) << "the key load does not touch the PEs' key bits";
    const GemmShape s{3, rows, cols};  // one fold: every PE holds a weight
    auto x = test::random_s8(size_t(s.m * s.k), rng, 1, 127);
    auto w = test::random_s8(size_t(s.k * s.n), rng, 1, 127);
    std::vector<int32_t> y;
    auto mm = ls.run_layer(GemmProblem{s, x.data(), w.data(), g}, y, 0);
    ASSERT_TRUE(mm) << "fault at PE (" << fr << "," << fc << ") of " << g.str() << " not caught";
    // Row 0 of the activations is presented in layer cycle W + 1 and leaves
    // R + C - 1 cycles later; only column fc has the faulty PE.
    const int64_t warm = (1152 + cols - 1) / cols;
    EXPECT_EQ(mm->phase, "layer 0 cycle " + std::to_string(warm + 1 + rows + cols - 1)) << mm->str();
    EXPECT_EQ(mm->signal.rfind("psum_data_o[" + std::to_string(fc) + "]", 0), 0u) << mm->str();
  }
}

}  // namespace
}  // namespace keymac
