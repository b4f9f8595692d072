// The expanded key mode (ARCHITECTURE.md section 11): the stream-bit index
// against a Trivium instance driven here by hand, locking identities against
// an independent plain GEMM, the avalanche of one master-key bit, relock,
// key files and packages, and the periodic mode's unchanged behaviour.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "host/backend/functional_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/schedule.h"

namespace keymac {
namespace {

struct Case {
  GemmShape s;
  Geometry g;
  std::vector<int8_t> x, w;
};

Case random_case(std::mt19937_64& rng, int max_dim = 24, int max_mkn = 90) {
  std::uniform_int_distribution<int> dim(1, max_dim), mk(1, max_mkn), w8(-127, 127), a8(-128, 127);
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
std::vector<int32_t> plain_gemm(const Case& c, const std::vector<int8_t>& w) {
  std::vector<int32_t> y(static_cast<size_t>(c.s.m * c.s.n));
  for (int64_t i = 0; i < c.s.m; ++i)
    for (int64_t j = 0; j < c.s.n; ++j) {
      int64_t acc = 0;
      for (int64_t k = 0; k < c.s.k; ++k) acc += int64_t(c.x[static_cast<size_t>(i * c.s.k + k)]) * w[static_cast<size_t>(k * c.s.n + j)];
      y[static_cast<size_t>(i * c.s.n + j)] = static_cast<int32_t>(static_cast<uint32_t>(acc));
    }
  return y;
}

std::vector<int32_t> on_backend(const Case& c, const std::vector<int8_t>& w, const KeySource* key, int64_t layer,
                                uint64_t* cycles = nullptr) {
  FunctionalBackend b(c.g);
  b.reset(key);
  std::vector<int32_t> y(static_cast<size_t>(c.s.m * c.s.n));
  const LayerStats st = b.run_gemm(GemmJob{"l", c.s, c.x.data(), w.data(), layer}, y.data());
  if (cycles) *cycles = st.cycles;
  return y;
}

TEST(ExpandedKey, LayerIvIsNonceLittleEndianThenLayerLittleEndian) {
  const auto iv = ExpandedKeySource::layer_iv(0x0102030405060708ull, 0x0a0b);
  const Trivium::Iv80 want = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x0b, 0x0a};
  EXPECT_EQ(iv, want);
  EXPECT_THROW(ExpandedKeySource::layer_iv(1, 65536), Error);
}

TEST(ExpandedKey, FoldPlaneBitRCIsStreamBitFoldTimesRPlusRTimesCPlusC) {
  for (auto g : {Geometry::make(4, 4), Geometry::make(3, 7), Geometry::make(16, 16)}) {
    const MasterKey mk = MasterKey::seeded_random(5);
    const uint64_t nonce = 0x1234abcdull;
    const ExpandedKeySource src(g, mk, nonce);
    for (int64_t layer : {0, 3}) {
      // Reference: Trivium with the documented IV, bytes assembled here.
      Trivium::Iv80 iv{};
      for (int i = 0; i < 8; ++i) iv[static_cast<size_t>(i)] = static_cast<uint8_t>(nonce >> (8 * i));
      iv[8] = static_cast<uint8_t>(layer);
      Trivium t(mk.bytes(), iv);
      std::vector<uint8_t> z;
      t.generate(6 * g.pes(), z);
      std::vector<uint8_t> plane(static_cast<size_t>(g.pes()));
      for (int64_t f : {5, 0, 2}) {  // out of order: the cache must not care
        src.fold_plane(layer, f, plane.data());
        for (int r = 0; r < g.rows; ++r)
          for (int c = 0; c < g.cols; ++c)
            ASSERT_EQ(plane[static_cast<size_t>(r * g.cols + c)], z[static_cast<size_t>((f * g.rows + r) * g.cols + c)])
                << g.str() << " layer " << layer << " fold " << f << " PE " << r << "," << c;
      }
    }
  }
}

TEST(ExpandedKey, WeightKeyBitFollowsTheFoldOrderNTilesOuterKTilesInner) {
  const Geometry g = Geometry::make(3, 2);
  const ExpandedKeySource src(g, MasterKey::seeded_random(1), 9);
  const int64_t K = 7, N = 5, Kt = 3;  // folds f = nt*Kt + kt
  const auto bits = weight_key_bits(src, 2, K, N);
  std::vector<uint8_t> plane(static_cast<size_t>(g.pes()));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) {
      src.fold_plane(2, (n / 2) * Kt + k / 3, plane.data());
      EXPECT_EQ(bits[static_cast<size_t>(k * N + n)], plane[static_cast<size_t>((k % 3) * 2 + n % 2)]) << k << "," << n;
    }
}

TEST(ExpandedKey, PeriodicSourceLocksExactlyLikeTheStaticKeyMap) {
  std::mt19937_64 rng(3);
  for (int t = 0; t < 50; ++t) {
    Case c = random_case(rng);
    const Key key = Key::seeded_random(c.g, rng());
    auto a = c.w, b = c.w;
    lock_weights(a.data(), c.s.k, c.s.n, key);
    lock_weights(b.data(), c.s.k, c.s.n, SerialKeySource(key), static_cast<int64_t>(t));
    ASSERT_EQ(a, b) << c.g.str();
  }
}

TEST(ExpandedKey, RightMasterKeyGivesBitIdenticalOutputsToPlainArrayOnUnlockedWeights) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 150; ++t) {
    Case c = random_case(rng);
    const ExpandedKeySource src(c.g, MasterKey::seeded_random(rng()), rng());
    const int64_t layer = t % 7;
    auto locked = c.w;
    lock_weights(locked.data(), c.s.k, c.s.n, src, layer);
    ASSERT_EQ(on_backend(c, locked, &src, layer), plain_gemm(c, c.w)) << "case " << t << " " << c.g.str();
  }
}

TEST(ExpandedKey, LockedWeightsDifferFromThePeriodicPatternAcrossFolds) {
  // The same PE gets independent bits in different folds: about half of the
  // (fold 0, fold 1) pairs of key bits at one PE disagree.
  const Geometry g = Geometry::make(16, 16);
  const ExpandedKeySource src(g, MasterKey::seeded_random(2), 77);
  std::vector<uint8_t> p0(256), p1(256);
  src.fold_plane(0, 0, p0.data());
  src.fold_plane(0, 1, p1.data());
  int diff = 0;
  for (int i = 0; i < 256; ++i) diff += p0[static_cast<size_t>(i)] != p1[static_cast<size_t>(i)];
  EXPECT_GT(diff, 90);
  EXPECT_LT(diff, 166);
}

TEST(ExpandedKey, EverySingleMasterKeyBitFlipChangesEveryLayerWithMoreThanAFewFolds) {
  std::mt19937_64 rng(21);
  for (int t = 0; t < 6; ++t) {
    Case c = random_case(rng, 8, 60);
    c.s = GemmShape{8, 4 * c.g.rows, 2 * c.g.cols};  // 8 folds
    c.x.resize(static_cast<size_t>(c.s.m * c.s.k));
    c.w.resize(static_cast<size_t>(c.s.k * c.s.n));
    std::uniform_int_distribution<int> w8(-127, 127), a8(-128, 127);
    for (auto& v : c.x) v = static_cast<int8_t>(a8(rng));
    for (auto& v : c.w) v = static_cast<int8_t>(w8(rng));
    const MasterKey right = MasterKey::seeded_random(rng());
    const uint64_t nonce = rng();
    const ExpandedKeySource src(c.g, right, nonce);
    auto locked = c.w;
    lock_weights(locked.data(), c.s.k, c.s.n, src, 1);
    const auto ref = plain_gemm(c, c.w);
    for (int bit = 0; bit < MasterKey::kBits; ++bit) {
      MasterKey wrong = right;
      wrong.flip(bit);
      ASSERT_EQ(wrong.hamming_distance(right), 1);
      const ExpandedKeySource ws(c.g, wrong, nonce);
      const auto y = on_backend(c, locked, &ws, 1);
      int64_t differ = 0;
      for (size_t i = 0; i < y.size(); ++i) differ += y[i] != ref[i];
      // Far more than the one PE a wrong periodic bit touches: most outputs change.
      EXPECT_GT(differ, static_cast<int64_t>(y.size()) / 2) << "bit " << bit << " on " << c.g.str();
    }
  }
}

TEST(ExpandedKey, WarmupCyclesAreAddedToTheClosedFormOncePerLayer) {
  std::mt19937_64 rng(4);
  for (int t = 0; t < 20; ++t) {
    Case c = random_case(rng);
    const ExpandedKeySource src(c.g, MasterKey::seeded_random(1), 2);
    const SerialKeySource per(Key::seeded_random(c.g, 3));
    uint64_t ce = 0, cp = 0, c0 = 0;
    on_backend(c, c.w, &src, 0, &ce);
    on_backend(c, c.w, &per, 0, &cp);
    on_backend(c, c.w, nullptr, 0, &c0);
    const uint64_t closed = static_cast<uint64_t>(Schedule(c.s, c.g).cycles());
    EXPECT_EQ(cp, closed);
    EXPECT_EQ(c0, closed);
    EXPECT_EQ(ce, closed + static_cast<uint64_t>((1152 + c.g.cols - 1) / c.g.cols)) << c.g.str();
  }
}

TEST(Relock, AToBGivesTheSameWeightsAsLockingForBDirectly) {
  std::mt19937_64 rng(8);
  for (int t = 0; t < 40; ++t) {
    Case c = random_case(rng);
    const uint64_t nonce = rng();
    const ExpandedKeySource a(c.g, MasterKey::seeded_random(rng()), nonce), b(c.g, MasterKey::seeded_random(rng()), nonce);
    const SerialKeySource p(Key::seeded_random(c.g, rng()));
    const KeySource* from[] = {&a, &p, &a};
    const KeySource* to[] = {&b, &a, &p};
    for (int i = 0; i < 3; ++i) {
      auto wa = c.w, wb = c.w;
      lock_weights(wa.data(), c.s.k, c.s.n, *from[i], 4);
      relock_weights(wa.data(), c.s.k, c.s.n, *from[i], *to[i], 4);
      lock_weights(wb.data(), c.s.k, c.s.n, *to[i], 4);
      ASSERT_EQ(wa, wb) << "case " << t << " pair " << i;
      ASSERT_EQ(on_backend(c, wa, to[i], 4), plain_gemm(c, c.w));
    }
  }
}

TEST(MasterKeyFile, RoundTripsIsMode0600AndRefusesMalformedFiles) {
  const std::string path = ::testing::TempDir() + "/mk_test.key";
  const MasterKey k = MasterKey::secure_random();
  k.write(path);
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(MasterKey::read(path), k);
  EXPECT_EQ(MasterKey::from_text("mode expanded\ncipher trivium\nkey 80000000000000000000\n", "t").bit(7), 1);
  for (const char* bad : {"", "array 4x4\n0\n", "mode expanded\ncipher grain\nkey 00000000000000000000\n",
                          "mode expanded\ncipher trivium\nkey 0000\n", "mode expanded\ncipher trivium\nkey 0000000000000000000g\n"}) {
    try {
      MasterKey::from_text(bad, "bad.key");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.key"), std::string::npos) << e.what();
    }
  }
  std::remove(path.c_str());
}

QuantModel small_model() {
  const Graph g = import_onnx(KEYMAC_SOURCE_DIR "/models/fmnist_mlp.onnx");
  const ImageSet train = load_idx(kDefaultDataDir, "train", 200);
  std::vector<float> px(train.pixels.size());
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<float>(train.pixels[i]) / 255.0f;
  return quantize(g, px, train.count, Preprocess{});
}

TEST(ExpandedPackage, RecordsModeAndNonceNeverTheKeyAndRunsBitIdenticallyToTheUnlockedModel) {
  const QuantModel q = small_model();
  const Geometry g = Geometry::make(8, 8);
  const MasterKey mk = MasterKey::seeded_random(42);
  const ExpandedKeySource src(g, mk, 0xfeedfacecafebeefull);
  const std::string path = ::testing::TempDir() + "/expanded_test.kmpkg";
  write_package(path, lock_model(q, src));
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  EXPECT_NE(bytes.find("\"key_mode\": \"expanded\""), std::string::npos);
  EXPECT_NE(bytes.find("feedfacecafebeef"), std::string::npos);
  EXPECT_EQ(bytes.find(mk.hex()), std::string::npos);
  const QuantModel back = read_package(path);
  EXPECT_EQ(back.key_mode, "expanded");
  EXPECT_EQ(back.key_nonce, 0xfeedfacecafebeefull);
  // A periodic key is refused for an expanded package.
  EXPECT_THROW(unlock_model(back, Key::seeded_random(g, 1)), Error);
  // Right master key on the keyed array == unlocked model on a plain array, every layer.
  const ImageSet test = load_idx(kDefaultDataDir, "t10k", 64);
  std::vector<std::vector<int32_t>> ref, got;
  FunctionalBackend plain(g), keyed(g);
  plain.reset(nullptr);
  keyed.reset(&src);
  Int8Runner(q, plain).run(test.pixels.data(), test.count, nullptr, [&](size_t, const int32_t* y, int64_t n) { ref.emplace_back(y, y + n); });
  Int8Runner(back, keyed).run(test.pixels.data(), test.count, nullptr, [&](size_t, const int32_t* y, int64_t n) { got.emplace_back(y, y + n); });
  ASSERT_EQ(ref.size(), 3u);
  ASSERT_EQ(ref.size(), got.size());
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_EQ(ref[i], got[i]) << "layer " << i;
  // One master-key bit off: every layer's output changes.
  MasterKey wrong = mk;
  wrong.flip(40);
  const ExpandedKeySource ws(g, wrong, 0xfeedfacecafebeefull);
  FunctionalBackend wb(g);
  wb.reset(&ws);
  std::vector<std::vector<int32_t>> bad;
  Int8Runner(back, wb).run(test.pixels.data(), test.count, nullptr, [&](size_t, const int32_t* y, int64_t n) { bad.emplace_back(y, y + n); });
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NE(ref[i], bad[i]) << "layer " << i;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace keymac
