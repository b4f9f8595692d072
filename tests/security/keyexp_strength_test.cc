// Strength of the expanded key (issue 11) at the level of single layers, and
// the one wrong-key operation (KeySource::at_distance) that `run` and the
// attack harness share (tests/security, label `security`).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"

namespace keymac {
namespace {

// Independent reference: a plain int32 GEMM of the unlocked weights, in loops.
std::vector<int32_t> plain_gemm(const std::vector<int8_t>& x, const std::vector<int8_t>& w, int64_t m, int64_t k, int64_t n) {
  std::vector<int32_t> y(static_cast<size_t>(m * n), 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t kk = 0; kk < k; ++kk)
        y[static_cast<size_t>(i * n + j)] += int32_t{x[static_cast<size_t>(i * k + kk)]} * w[static_cast<size_t>(kk * n + j)];
  return y;
}

int64_t folds(int64_t k, int64_t n, Geometry g) { return ((k + g.rows - 1) / g.rows) * ((n + g.cols - 1) / g.cols); }

TEST(KeyExpansionStrength, AnySingleMasterKeyBitFlipChangesEveryLayerWithMoreThanAFewFolds) {
  // Random layer shapes with at least 4 folds, three layers per "model", three
  // geometries (one non-square). The right master key restores the plain GEMM
  // exactly; each of the 80 one-bit-off keys changes the outputs of every
  // layer, and flips the key bit of about half of its weights (binomial:
  // n/2 +- 6 sigma, as for an unrelated random sign pattern).
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> wv(1, 127), xv(-127, 127), sign(0, 1);
  for (const Geometry g : {Geometry::make(4, 4), Geometry::make(8, 8), Geometry::make(4, 6)}) {
    const ExpandedKeySource right(g, MasterKey::seeded_random(rng()), rng());
    for (int64_t layer = 0; layer < 3; ++layer) {
      std::uniform_int_distribution<int64_t> kd(2 * g.rows, 5 * g.rows), nd(2 * g.cols, 4 * g.cols);
      const int64_t m = 3, k = kd(rng), n = nd(rng);
      ASSERT_GE(folds(k, n, g), 4);
      std::vector<int8_t> x(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n));
      for (auto& v : x) v = static_cast<int8_t>(xv(rng));
      for (auto& v : w) v = static_cast<int8_t>(sign(rng) ? wv(rng) : -wv(rng));  // no zero weight
      const auto ref = plain_gemm(x, w, m, k, n);
      std::vector<int8_t> locked = w;
      lock_weights(locked.data(), k, n, right, layer);
      std::vector<int32_t> y(static_cast<size_t>(m * n));
      keyed_gemm(x.data(), locked.data(), GemmShape{m, k, n}, g, &right, layer, y.data());
      ASSERT_EQ(y, ref) << "right key, layer " << layer << " on " << g.str();
      const auto right_bits = weight_key_bits(right, layer, k, n);
      const double nw = static_cast<double>(k * n);
      for (int bit = 0; bit < MasterKey::kBits; ++bit) {
        const auto wrong = right.with_bits_flipped({bit});
        ASSERT_EQ(wrong->hamming_distance(right), 1);
        keyed_gemm(x.data(), locked.data(), GemmShape{m, k, n}, g, wrong.get(), layer, y.data());
        EXPECT_NE(y, ref) << "master-key bit " << bit << " flipped leaves layer " << layer << " (" << k << "x" << n
                          << ") on " << g.str() << " unchanged";
        const auto bits = weight_key_bits(*wrong, layer, k, n);
        int64_t differ = 0;
        for (size_t i = 0; i < bits.size(); ++i) differ += bits[i] != right_bits[i];
        EXPECT_NEAR(static_cast<double>(differ), nw / 2, 6 * std::sqrt(nw) / 2)
            << "bit " << bit << ", layer " << layer << " on " << g.str();
      }
    }
  }
}

TEST(KeyExpansionStrength, LayersAndNoncesGetUnrelatedKeyStreams) {
  // No key-stream reuse: the same weight positions of two layers (IVs differ
  // in the layer index) or of two packages (nonces differ) meet unrelated bits.
  const Geometry g = Geometry::make(8, 8);
  const MasterKey mk = MasterKey::seeded_random(3);
  const ExpandedKeySource a(g, mk, 100), b(g, mk, 101);
  const int64_t k = 64, n = 64;
  const double nw = static_cast<double>(k * n);
  auto agree = [&](const std::vector<uint8_t>& p, const std::vector<uint8_t>& q) {
    int64_t s = 0;
    for (size_t i = 0; i < p.size(); ++i) s += p[i] == q[i];
    return static_cast<double>(s);
  };
  const auto l0 = weight_key_bits(a, 0, k, n);
  for (int64_t layer : {1, 2, 255, 256}) EXPECT_NEAR(agree(l0, weight_key_bits(a, layer, k, n)), nw / 2, 6 * std::sqrt(nw) / 2) << layer;
  EXPECT_NEAR(agree(l0, weight_key_bits(b, 0, k, n)), nw / 2, 6 * std::sqrt(nw) / 2);
  // Within a layer, folds do not repeat: fold f's plane is stream bits f*R*C .. (f+1)*R*C - 1.
  std::vector<uint8_t> p0(64), p1(64);
  int64_t same_planes = 0;
  for (int64_t f = 1; f < 64; ++f) {
    a.fold_plane(0, 0, p0.data());
    a.fold_plane(0, f, p1.data());
    same_planes += p0 == p1;
  }
  EXPECT_EQ(same_planes, 0);
}

TEST(KeySourceDistance, AtDistanceFlipsExactlyDSecretBitsOfTheSameKindOfKey) {
  const Geometry g = Geometry::make(4, 6);
  const SerialKeySource periodic(Key::seeded_random(g, 1));
  const ExpandedKeySource expanded(g, MasterKey::seeded_random(2), 0xfeed);
  for (const KeySource* k : {static_cast<const KeySource*>(&periodic), static_cast<const KeySource*>(&expanded)}) {
    const int n = k->secret_bits();
    EXPECT_EQ(n, k == &periodic ? 24 : 80);
    for (int d : {0, 1, 2, 5, n / 2, n}) {
      for (uint64_t seed : {0u, 7u, 12345u}) {
        const auto w = k->at_distance(d, seed);
        EXPECT_EQ(w->hamming_distance(*k), d) << "d " << d << " seed " << seed;
        EXPECT_EQ(w->mode(), k->mode());
        EXPECT_EQ(w->geometry(), k->geometry());
        if (k == &expanded) {
          EXPECT_EQ(static_cast<const ExpandedKeySource&>(*w).nonce(), 0xfeedu);
        }
        EXPECT_EQ(w->bits(), k->at_distance(d, seed)->bits()) << "not reproducible from the seed";
      }
    }
    // d = 1 from consecutive seeds: every bit once (run's --wrong-key-distance 1).
    std::set<int> flipped;
    const auto right = k->bits();
    for (int s = 0; s < n; ++s) {
      const auto w = k->at_distance(1, 1000 + static_cast<uint64_t>(s))->bits();
      for (int i = 0; i < n; ++i)
        if (w[static_cast<size_t>(i)] != right[static_cast<size_t>(i)]) flipped.insert(i);
    }
    EXPECT_EQ(static_cast<int>(flipped.size()), n);
    EXPECT_THROW(k->at_distance(n + 1, 0), Error);
    EXPECT_THROW(k->at_distance(-1, 0), Error);
    EXPECT_NE(k->random_like(5)->bits(), k->bits());
    EXPECT_EQ(k->random_like(5)->bits(), k->random_like(5)->bits());
  }
}

}  // namespace
}  // namespace keymac
