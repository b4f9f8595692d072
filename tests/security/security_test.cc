// The security harness on a tiny model and a 4x4 array, where the outcome is
// known in advance (tests/security, label `security`).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <random>
#include <type_traits>

#include "host/backend/array_backend.h"
#include "host/backend/functional_backend.h"
#include "host/data/idx_dataset.h"
#include "host/energy/activity.h"
#include "host/lock/package.h"
#include "host/quant/quantize.h"
#include "host/runtime/evaluator.h"
#include "host/security/attack.h"
#include "host/security/harness.h"
#include "host/security/power_model.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"

namespace keymac {
namespace {

// Is T a complete type here? (Attack code sees the sealed Impl types only as
// declarations; a complete type would let it read the key.)
template <typename T, typename = void>
struct is_complete : std::false_type {};
template <typename T>
struct is_complete<T, std::void_t<decltype(sizeof(T))>> : std::true_type {};

// 784 -> 16 (ReLU) -> 10. First-layer weights are a smooth positive function
// of the pixel position (adjacent pixels, adjacent PE rows: equal signs);
// every class's classifier weights have a negative mean.
Graph smooth_graph() {
  Graph g;
  g.source = "smooth";
  g.input_shape = {784};
  Layer l1;
  l1.kind = LayerKind::kGemm;
  l1.name = "fc1";
  l1.in_shape = {784};
  l1.out_shape = {16};
  l1.k = 784;
  l1.n = 16;
  l1.weight.resize(784 * 16);
  for (int k = 0; k < 784; ++k)
    for (int n = 0; n < 16; ++n) {
      const double y = k / 28, x = k % 28;
      l1.weight[static_cast<size_t>(k * 16 + n)] =
          static_cast<float>(0.02 * (1.0 + 0.5 * std::sin(0.2 * y + 0.7 * n) * std::cos(0.15 * x + 0.3 * n)));
    }
  l1.bias.assign(16, -0.5f);
  Layer relu;
  relu.kind = LayerKind::kRelu;
  relu.name = "relu";
  relu.in_shape = relu.out_shape = {16};
  Layer l2;
  l2.kind = LayerKind::kGemm;
  l2.name = "fc2";
  l2.in_shape = {16};
  l2.out_shape = {10};
  l2.k = 16;
  l2.n = 10;
  l2.weight.resize(160);
  for (int k = 0; k < 16; ++k)
    for (int n = 0; n < 10; ++n) l2.weight[static_cast<size_t>(k * 10 + n)] = static_cast<float>(-0.1 + 0.08 * std::sin(1.3 * k + 2.1 * n));
  l2.bias.assign(10, 0.0f);
  g.layers = {l1, relu, l2};
  return g;
}

struct Fixture {
  QuantModel unlocked, locked;
  Key key;
  ImageSet test, train;
};

ImageSet take(const ImageSet& s, int64_t from, int64_t n) {
  ImageSet o;
  o.count = n;
  o.pixels.assign(s.pixels.begin() + from * 784, s.pixels.begin() + (from + n) * 784);
  o.labels.assign(s.labels.begin() + from, s.labels.begin() + from + n);
  return o;
}

// Labels from the unlocked model on a plain array (so the right key is 100 %).
void relabel(const QuantModel& m, Geometry g, ImageSet& s) {
  FunctionalBackend be(g);
  be.reset(nullptr);
  Int8Runner run(m, be);
  const auto sc = run.run(s.pixels.data(), s.count);
  for (int64_t i = 0; i < s.count; ++i) s.labels[static_cast<size_t>(i)] = static_cast<uint8_t>(argmax(sc.data() + i * 10, 10));
}

Fixture make_fixture(Geometry g, uint64_t key_seed, bool self_labelled) {
  Fixture f;
  const ImageSet all = load_idx(kDefaultDataDir, "train", 600);
  const Preprocess pre;
  const auto calib = preprocess_pixels(all.pixels.data(), 200 * 784, pre);
  f.unlocked = quantize(smooth_graph(), calib, 200, pre);
  f.key = Key::seeded_random(g, key_seed);
  f.locked = lock_model(f.unlocked, f.key);
  f.test = take(all, 0, 200);
  f.train = take(all, 200, 400);
  if (self_labelled) {
    relabel(f.unlocked, g, f.test);
    relabel(f.unlocked, g, f.train);
  }
  return f;
}

HarnessOptions options(nlohmann::json opts, int64_t images = 100, int64_t queries = 100) {
  HarnessOptions o;
  o.images = images;
  o.queries = queries;
  o.seed = 5;
  o.threads = 2;
  o.options = std::move(opts);
  return o;
}

TEST(SecurityInterface, AttackCodeSeesNoKeyHolder) {
  // What an attack can name: the sealed objects' implementations are
  // incomplete (defined in harness.cc only), they cannot be copied, and the
  // public surface has no accessor that returns a Key.
  static_assert(!is_complete<DeviceOracle::Impl>::value, "DeviceOracle::Impl must stay opaque to attacks");
  static_assert(!is_complete<KeyProbe::Impl>::value, "KeyProbe::Impl must stay opaque to attacks");
  static_assert(!std::is_copy_constructible_v<DeviceOracle> && !std::is_copy_constructible_v<KeyProbe>);
  static_assert(!std::is_constructible_v<DeviceOracle>, "only the harness can make a device");
  SUCCEED();
}

TEST(SecurityHarness, DatafreeRecoversEveryBitOfASmoothModelWithoutData) {
  const Geometry g = Geometry::make(4, 4);
  for (uint64_t seed : {1u, 2u, 3u}) {
    Fixture f = make_fixture(g, seed, false);
    Harness h(f.locked, f.key, f.test, f.train, options({{"datafree", {{"images", 0}}}}));
    const auto r = h.run("datafree", nullptr);
    EXPECT_EQ(r["bits_total"], 16);
    EXPECT_EQ(r["bits_recovered"], 16) << "key seed " << seed;
    EXPECT_EQ(r["labelled_images"], 0);
    EXPECT_DOUBLE_EQ(r["accuracy_with_recovered_key"].get<double>(), r["right_key_accuracy"].get<double>());
  }
}

TEST(SecurityHarness, DistanceAtZeroIsTheRightKeyAccuracyOfTheRunPath) {
  const Geometry g = Geometry::make(4, 4);
  Fixture f = make_fixture(g, 7, false);
  // Independent reference: the unlocked model on a plain array through `run`'s evaluator.
  const BackendFactory make = [&](const EvalSpec&) { return make_backend("functional", g, {}); };
  const EvalResult ref = evaluate({"reference", &f.unlocked, nullptr}, f.test, make, 64, nullptr);
  Harness h(f.locked, f.key, f.test, f.train, options({{"distance", {{"keys", 2}}}}));
  const auto r = h.run("distance", nullptr);
  ASSERT_TRUE(r["complete"].get<bool>());
  const auto& c = r["curve"];
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[0]["d"], 0);
  EXPECT_DOUBLE_EQ(c[0]["mean"].get<double>(), ref.accuracy());
  EXPECT_DOUBLE_EQ(c[0]["min"].get<double>(), c[0]["max"].get<double>());
  EXPECT_DOUBLE_EQ(r["right_key_accuracy"].get<double>(), ref.accuracy());
  EXPECT_EQ(c.back()["d"], 8);  // R*C/2
  const auto& s = r["sensitivity"];
  ASSERT_EQ(s.size(), 4u);
  for (const auto& row : s) EXPECT_EQ(row.size(), 4u);
}

TEST(SecurityHarness, GreedyStartedAtTheTrueKeyStaysThere) {
  const Geometry g = Geometry::make(4, 4);
  Fixture f = make_fixture(g, 11, true);  // labels = the unlocked model's predictions
  // datafree (images=0) gives the exact key on this model (test above); with
  // objective=errors no flip can beat 0 errors.
  Harness h(f.locked, f.key, f.test, f.train,
            options({{"greedy", {{"start", "datafree"}, {"images", 0}, {"objective", "errors"}, {"sweeps", 1}}}}));
  const auto r = h.run("greedy", nullptr);
  EXPECT_EQ(r["bits_recovered"], 16);
  EXPECT_EQ(r["flips_kept"], 0);
  EXPECT_DOUBLE_EQ(r["accuracy_with_recovered_key"].get<double>(), 100.0);
}

TEST(SecurityHarness, PowerTraceOfChosenInputsGivesEveryBit) {
  const Geometry g = Geometry::make(4, 4);
  Fixture f = make_fixture(g, 13, false);
  Harness h(f.locked, f.key, f.test, f.train,
            options({{"power", {{"images", 64}, {"cycles", {16, 512}}, {"noise", {0}}}}}));
  const auto r = h.run("power", nullptr);
  ASSERT_EQ(r["bits_vs_cycles"].size(), 2u);
  EXPECT_EQ(r["bits_vs_cycles"][1]["cycles"], 512);
  EXPECT_EQ(r["bits_vs_cycles"][1]["bits_recovered"], 16);
  EXPECT_EQ(r["bits_recovered"], 16);
}

TEST(SecurityHarness, ReportHoldsNoKeyMaterial) {
  const Geometry g = Geometry::make(8, 12);
  Fixture f = make_fixture(g, 17, false);
  Harness h(f.locked, f.key, f.test, f.train, options({{"distance", {{"keys", 1}, {"sensitivity", false}}}}));
  const std::string text = h.run("distance", nullptr).dump() + h.run("datafree", nullptr).dump();
  std::string bits, bits_rev, hex;
  for (auto b : f.key.serial()) bits += static_cast<char>('0' + b);
  bits_rev.assign(bits.rbegin(), bits.rend());
  const std::string key_text = f.key.to_text();
  EXPECT_EQ(text.find(bits.substr(0, 48)), std::string::npos);
  EXPECT_EQ(text.find(bits_rev.substr(0, 48)), std::string::npos);
  EXPECT_EQ(text.find("candidate"), std::string::npos);
}

TEST(PowerModel, TotalsEqualTheActivityCounts) {
  // Independent reference: host/energy/activity's per-layer toggle counts.
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> u(-127, 127);
  for (auto [m, k, n, rows, cols] : {std::array<int, 5>{5, 9, 7, 4, 4}, {3, 20, 13, 4, 6}, {40, 33, 17, 8, 12}}) {
    const Geometry g = Geometry::make(rows, cols);
    std::vector<int8_t> x(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n));
    for (auto& v : x) v = static_cast<int8_t>(u(rng) % 3 == 0 ? 0 : u(rng));
    for (auto& v : w) v = static_cast<int8_t>(u(rng));
    const Key key = Key::seeded_random(g, 9);
    const GemmShape s{m, k, n};
    for (const Key* kp : {static_cast<const Key*>(nullptr), &key}) {
      const LayerActivity a = measure_activity(GemmJob{"l", s, x.data(), w.data()}, g, kp, LayerStats{});
      const ToggleModel tm(x.data(), w.data(), s, g);
      EXPECT_EQ(tm.cycles(), Schedule(s, g).cycles());
      double fixed = 0, total = 0;
      for (double v : tm.fixed()) fixed += v;
      for (double v : tm.total(kp)) total += v;
      EXPECT_EQ(static_cast<uint64_t>(fixed), a.act_reg_toggles + a.weight_reg_toggles) << m << "x" << k << "x" << n;
      EXPECT_EQ(static_cast<uint64_t>(total - fixed), a.psum_reg_toggles) << m << "x" << k << "x" << n;
    }
  }
}

std::vector<double> tm_total(const std::vector<int8_t>& x, const std::vector<int8_t>& w, GemmShape s, Geometry g, const Key* k) {
  return ToggleModel(x.data(), w.data(), s, g).total(k);
}

// ---- Expanded keys (issue 11): the same attacks, the true key a master key.

struct ExpandedFixture {
  QuantModel unlocked, locked;
  std::unique_ptr<ExpandedKeySource> key;
  ImageSet test, train;
};

ExpandedFixture make_expanded_fixture(Geometry g, uint64_t key_seed, bool self_labelled) {
  Fixture p = make_fixture(g, 1, self_labelled);  // the same smooth model and images
  ExpandedFixture f;
  f.unlocked = p.unlocked;
  f.key = std::make_unique<ExpandedKeySource>(g, MasterKey::seeded_random(key_seed), 0x1234567890abcdefull ^ key_seed);
  f.locked = lock_model(f.unlocked, *f.key);
  f.test = p.test;
  f.train = p.train;
  return f;
}

// An R x C candidate shares nothing with a master key's per-fold bits: its
// per-weight key bits agree with the true ones like coin flips. Bound: the
// binomial mean n/2 +- 6 sigma (sigma = sqrt(n)/2).
void expect_chance_signs(const nlohmann::json& r) {
  const double n = r["sign_bits_total"].get<double>(), k = r["sign_bits_recovered"].get<double>();
  ASSERT_GT(n, 0);
  EXPECT_NEAR(k, n / 2, 6 * std::sqrt(n) / 2) << r["attack"];
}

TEST(SecurityHarnessExpanded, DistanceCountsMasterKeyBitsAndStartsAtTheRightKey) {
  const Geometry g = Geometry::make(4, 4);
  ExpandedFixture f = make_expanded_fixture(g, 21, true);
  // Independent reference: the unlocked model on a plain array through `run`'s evaluator.
  const BackendFactory make = [&](const EvalSpec&) { return make_backend("functional", g, {}); };
  const EvalResult ref = evaluate({"reference", &f.unlocked, nullptr}, f.test, make, 64, nullptr);
  Harness h(f.locked, f.key->clone(), f.test, f.train, options({{"distance", {{"keys", 1}}}}));
  const auto r = h.run("distance", nullptr);
  ASSERT_TRUE(r["complete"].get<bool>());
  EXPECT_EQ(r["key_mode"], "expanded");
  EXPECT_EQ(r["bits_total"], 80);
  std::vector<int> ds;
  for (const auto& p : r["curve"]) ds.push_back(p["d"].get<int>());
  EXPECT_EQ(ds, (std::vector<int>{0, 1, 2, 4, 8, 16, 32, 40}));
  EXPECT_DOUBLE_EQ(r["curve"][0]["mean"].get<double>(), ref.accuracy());
  EXPECT_DOUBLE_EQ(ref.accuracy(), 100.0);  // self-labelled
  ASSERT_EQ(r["sensitivity"].size(), 1u);
  EXPECT_EQ(r["sensitivity"][0].size(), 80u);
}

TEST(SecurityHarnessExpanded, DatafreeAndGreedyGetOnlyChanceSignsOfAModelWhosePeriodicKeyTheyBreak) {
  // The smooth model gives every bit of a periodic key to datafree (test
  // above); locked with an expanded key, the candidate is a coin flip per weight.
  const Geometry g = Geometry::make(4, 4);
  ExpandedFixture f = make_expanded_fixture(g, 22, true);
  Harness h(f.locked, f.key->clone(), f.test, f.train,
            options({{"datafree", {{"images", 0}}}, {"greedy", {{"start", "datafree"}, {"images", 0}, {"sweeps", 1}}}}));
  for (const char* a : {"datafree", "greedy"}) {
    const auto r = h.run(a, nullptr);
    EXPECT_EQ(r["bits_total"], 80);
    EXPECT_TRUE(r["bits_recovered"].is_null()) << a;  // no R x C bit is a master-key bit
    expect_chance_signs(r);
    EXPECT_LT(r["accuracy_with_recovered_key"].get<double>(), 60.0) << a;  // right key: 100 %
  }
}

TEST(SecurityHarnessExpanded, PowerTraceOfTheFirstFoldGivesThatFoldsKeyPlaneAndNoMore) {
  // A trace that covers only fold 0 of the first layer: the attack recovers
  // that fold's R*C key bits, a per-weight sign pattern of 16 of the model's
  // weights, and nothing about the other folds.
  const Geometry g = Geometry::make(4, 4);
  ExpandedFixture f = make_expanded_fixture(g, 23, false);
  const int64_t images = 64;  // fold period max(M, R) = 64 cycles
  Harness h(f.locked, f.key->clone(), f.test, f.train,
            options({{"power", {{"images", images}, {"cycles", {images}}, {"noise", {0}}, {"layers", 1}}}}));
  const auto r = h.run("power", nullptr);
  ASSERT_EQ(r["bits_vs_cycles"].size(), 1u);
  EXPECT_TRUE(r["bits_vs_cycles"][0]["bits_recovered"].is_null());
  EXPECT_EQ(r["bits_vs_cycles"][0]["first_fold_bits_recovered"], 16);
  expect_chance_signs(r);
}

TEST(SecurityHarnessExpanded, ReportHoldsNoMasterKey) {
  const Geometry g = Geometry::make(4, 4);
  ExpandedFixture f = make_expanded_fixture(g, 24, false);
  Harness h(f.locked, f.key->clone(), f.test, f.train, options({{"distance", {{"keys", 1}, {"sensitivity", false}}}}));
  const std::string text = h.run("distance", nullptr).dump() + h.run("datafree", nullptr).dump();
  std::string bits;
  for (auto b : f.key->bits()) bits += static_cast<char>('0' + b);
  EXPECT_EQ(text.find(bits.substr(0, 40)), std::string::npos);
  std::string hex = f.key->master_key().hex(), upper = hex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(text.find(hex), std::string::npos);
  EXPECT_EQ(text.find(upper), std::string::npos);
}

TEST(SecurityHarnessExpanded, AKeyWhoseNonceIsNotThePackagesIsRefused) {
  const Geometry g = Geometry::make(4, 4);
  ExpandedFixture f = make_expanded_fixture(g, 25, false);
  auto other = std::make_unique<ExpandedKeySource>(g, f.key->master_key(), f.key->nonce() + 1);
  EXPECT_THROW(Harness(f.locked, std::move(other), f.test, f.train, options({})), Error);
}

TEST(PowerModel, AnExpandedKeysTraceUsesEachFoldsOwnKeyPlane) {
  // Independent reference: host/energy/activity's psum toggles with the
  // same source (per-fold effective weights), and the periodic trace equals
  // the trace of the same source as per-fold planes that all repeat.
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int> u(-127, 127);
  for (auto [m, k, n, rows, cols] : {std::array<int, 5>{5, 9, 7, 4, 4}, {3, 20, 13, 4, 6}, {40, 33, 17, 8, 12}}) {
    const Geometry g = Geometry::make(rows, cols);
    std::vector<int8_t> x(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n));
    for (auto& v : x) v = static_cast<int8_t>(u(rng) % 3 == 0 ? 0 : u(rng));
    for (auto& v : w) v = static_cast<int8_t>(u(rng));
    const GemmShape s{m, k, n};
    const ExpandedKeySource src(g, MasterKey::seeded_random(5), 77);
    for (int64_t layer : {0, 3}) {
      GemmJob job{"l", s, x.data(), w.data()};
      job.layer_index = layer;
      const LayerActivity a = measure_activity(job, g, static_cast<const KeySource*>(&src), LayerStats{});
      const ToggleModel tm(x.data(), w.data(), s, g);
      double fixed = 0, total = 0;
      for (double v : tm.fixed()) fixed += v;
      for (double v : tm.total(&src, layer)) total += v;
      EXPECT_EQ(static_cast<uint64_t>(total - fixed), a.psum_reg_toggles) << m << "x" << k << "x" << n;
    }
    const Key key = Key::seeded_random(g, 9);
    const SerialKeySource periodic(key);
    EXPECT_EQ(tm_total(x, w, s, g, &key), ToggleModel(x.data(), w.data(), s, g).total(&periodic, 2));
  }
}

TEST(AttackRegistry, UnknownAttackIsRefusedWithTheList) {
  EXPECT_THROW(make_attack("nope"), Error);
  for (const auto& n : attack_names()) EXPECT_EQ(make_attack(n)->name(), n);
}

}  // namespace
}  // namespace keymac
