// Property tests of the functional model against an independent plain GEMM
// written here, and of the closed-form cycle count against the spec's worked
// numbers (ARCHITECTURE.md sections 4 and 8).
#include <gtest/gtest.h>

#include <random>

#include "sim/core/keyed_gemm.h"
#include "sim/core/schedule.h"

namespace keymac {
namespace {

struct Case {
  GemmShape s;
  Geometry g;
  std::vector<int8_t> x, w;
};

Case random_case(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> dim(1, 32), mk(1, 70), w8(-127, 127), a8(-128, 127);
  Case c;
  c.g = Geometry::make(dim(rng), dim(rng));
  c.s = GemmShape{mk(rng), mk(rng), mk(rng)};
  c.x.resize(static_cast<size_t>(c.s.m * c.s.k));
  c.w.resize(static_cast<size_t>(c.s.k * c.s.n));
  for (auto& v : c.x) v = static_cast<int8_t>(a8(rng));
  for (auto& v : c.w) v = static_cast<int8_t>(w8(rng));
  return c;
}

// Independent reference: textbook triple loop in int64, wrapped to int32.
std::vector<int32_t> plain_gemm(const Case& c) {
  std::vector<int32_t> y(static_cast<size_t>(c.s.m * c.s.n));
  for (int64_t i = 0; i < c.s.m; ++i)
    for (int64_t j = 0; j < c.s.n; ++j) {
      int64_t acc = 0;
      for (int64_t k = 0; k < c.s.k; ++k) acc += int64_t(c.x[static_cast<size_t>(i * c.s.k + k)]) * c.w[static_cast<size_t>(k * c.s.n + j)];
      y[static_cast<size_t>(i * c.s.n + j)] = static_cast<int32_t>(static_cast<uint32_t>(acc));
    }
  return y;
}

std::vector<int32_t> run(const Case& c, const std::vector<int8_t>& w, const Key* key) {
  std::vector<int32_t> y(static_cast<size_t>(c.s.m * c.s.n));
  keyed_gemm(c.x.data(), w.data(), c.s, c.g, key, y.data());
  return y;
}

TEST(KeyedGemm, RightKeyGivesBitIdenticalOutputsToPlainGemmOfUnlockedWeights) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 200; ++t) {
    Case c = random_case(rng);
    Key key = Key::seeded_random(c.g, rng());
    auto locked = c.w;
    lock_weights(locked.data(), c.s.k, c.s.n, key);
    ASSERT_EQ(run(c, locked, &key), plain_gemm(c)) << "case " << t << " " << c.g.str();
  }
}

TEST(KeyedGemm, PlainArrayWithUnlockedWeightsIsPlainGemm) {
  std::mt19937_64 rng(12);
  for (int t = 0; t < 100; ++t) {
    Case c = random_case(rng);
    ASSERT_EQ(run(c, c.w, nullptr), plain_gemm(c));
  }
}

TEST(KeyedGemm, FlippingAnyKeyBitOnAUsedPeChangesTheOutputs) {
  std::mt19937_64 rng(13);
  for (int t = 0; t < 40; ++t) {
    Case c = random_case(rng);
    // Nonzero operands so every used PE carries a nonzero product.
    for (auto& v : c.x) if (v == 0) v = 1;
    for (auto& v : c.w) if (v == 0) v = -3;
    Key key = Key::seeded_random(c.g, rng());
    auto locked = c.w;
    lock_weights(locked.data(), c.s.k, c.s.n, key);
    const auto right = run(c, locked, &key);
    for (int r = 0; r < c.g.rows; ++r)
      for (int col = 0; col < c.g.cols; ++col) {
        Key wrong = key;
        wrong.flip(r, col);
        const bool used = r < c.s.k && col < c.s.n;
        EXPECT_EQ(run(c, locked, &wrong) != right, used) << "PE (" << r << "," << col << ") of " << c.g.str();
      }
  }
}

TEST(KeyedGemm, AccumulationWrapsModulo2To32) {
  // K = 200,000 products of 127*127 overflow int32; the result is the int64 sum mod 2^32.
  Case c;
  c.g = Geometry::make(4, 4);
  c.s = GemmShape{1, 200000, 1};
  c.x.assign(200000, 127);
  c.w.assign(200000, 127);
  EXPECT_EQ(run(c, c.w, nullptr), plain_gemm(c));
}

TEST(Schedule, CyclesFollowTheClosedFormWorkedExamples) {
  // 256x256x256 on 16x16: F = 256 folds, P = 256: 255*256 + 256 + 16 + 16.
  EXPECT_EQ(Schedule({256, 256, 256}, Geometry::make(16, 16)).cycles(), 65568);
  // One fold: M + R + C.
  EXPECT_EQ(Schedule({10, 3, 5}, Geometry::make(4, 8)).cycles(), 10 + 4 + 8);
  // M < R: each fold paced by the R-cycle weight load. K=33 -> 3 K-tiles, N=17 -> 2 N-tiles.
  EXPECT_EQ(Schedule({1, 33, 17}, Geometry::make(16, 16)).cycles(), 5 * 16 + 1 + 32);
  // 1x1 array: every MAC is a fold of period M.
  EXPECT_EQ(Schedule({7, 5, 3}, Geometry::make(1, 1)).cycles(), 14 * 7 + 7 + 2);
}

TEST(Schedule, LargeLayersReachNinetyPercentOfIdeal) {
  Schedule s({256, 256, 256}, Geometry::make(16, 16));
  EXPECT_GE(s.utilisation(), 0.9);
  EXPECT_DOUBLE_EQ(s.ideal_cycles(), 65536.0);
}

}  // namespace
}  // namespace keymac
