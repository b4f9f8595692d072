// The security harness on a tiny model and a 4x4 array, where the outcome is
// known in advance (tests/security, label `security`).
#include <gtest/gtest.h>

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

TEST(AttackRegistry, UnknownAttackIsRefusedWithTheList) {
  EXPECT_THROW(make_attack("nope"), Error);
  for (const auto& n : attack_names()) EXPECT_EQ(make_attack(n)->name(), n);
}

}  // namespace
}  // namespace keymac
