// The libtorch attacks on cases whose outcome is known in advance.
//
// gradient: a tiny two-layer network (784 -> 16 -> 10, random Gaussian
// weights) locked for a 4 x 4 array, and labels produced by the keyed device
// itself (the int8 runner with the right key). The right key reproduces every
// label, and each of the 16 key bits flips a sixteenth of the weights of both
// layers, so any wrong bit changes many predictions: the problem is perfectly
// learnable and identifiable. Expected: the attack recovers >= 15 of the 16
// bits (a 16-bit relaxed search from a random start should find all of them;
// one bit of slack for int8-vs-float label noise) and its key reproduces >= 95 %
// of the labels.
// finetune: with 0 epochs the fine-tuned model IS the locked model on a plain
// float array, so its accuracy equals keymac's float executor on the
// dequantised locked weights, for every seed (std 0). One epoch on the shipped
// MLP must beat the plain array by a wide margin (the locked model is near
// chance; one epoch on 600 images brings an MLP far above it).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "host/backend/array_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/int8_runner.h"
#include "host/security/attack.h"
#include "sim/core/error.h"
#include "host/security/torch_net.h"
#include "tests/security/torch_test_util.h"

namespace keymac {
namespace {

Graph tiny_graph(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Graph g;
  g.source = "tiny";
  g.input_shape = {784};
  auto gemm = [&](int64_t k, int64_t n, const std::string& name) {
    Layer l;
    l.kind = LayerKind::kGemm;
    l.name = name;
    l.in_shape = {k};
    l.out_shape = {n};
    l.k = k;
    l.n = n;
    for (int64_t i = 0; i < k * n; ++i) l.weight.push_back(normal(rng) / std::sqrt(static_cast<float>(k)));
    l.bias.assign(static_cast<size_t>(n), 0.0f);
    return l;
  };
  g.layers.push_back(gemm(784, 16, "fc1"));
  Layer relu;
  relu.kind = LayerKind::kRelu;
  relu.name = "relu";
  relu.in_shape = relu.out_shape = {16};
  g.layers.push_back(relu);
  g.layers.push_back(gemm(16, 10, "fc2"));
  return g;
}

std::vector<uint8_t> device_labels(const QuantModel& locked, const Key& key, const ImageSet& s) {
  auto backend = make_backend("functional", key.geometry(), BackendOptions{});
  SerialKeySource source(key);
  backend->reset(&source);
  Int8Runner runner(locked, *backend);
  const auto scores = runner.run(s.pixels.data(), s.count);
  std::vector<uint8_t> labels;
  for (int64_t i = 0; i < s.count; ++i)
    labels.push_back(static_cast<uint8_t>(argmax(scores.data() + i * locked.num_outputs, locked.num_outputs)));
  return labels;
}

void check_gradient_recovers_tiny_key(const std::string& mode) {
  const Graph g = tiny_graph(11);
  const ImageSet calib = load_idx(kDefaultDataDir, "train", 200);
  const QuantModel q = quantize(g, preprocess_pixels(calib.pixels.data(), calib.pixels.size(), Preprocess{}), calib.count,
                                Preprocess{});
  const Key key = Key::seeded_random(Geometry::make(4, 4), 3);
  const QuantModel locked = lock_model(q, key);
  ImageSet labelled = load_idx(kDefaultDataDir, "train", 500);
  labelled.labels = device_labels(locked, key, labelled);

  AttackContext ctx;
  ctx.locked = &locked;
  ctx.geometry = key.geometry();
  ctx.labelled = &labelled;
  ctx.seed = 1;
  ctx.threads = 2;
  ctx.options = {{"mode", mode}, {"steps", 200}};
  const AttackOutcome out = make_gradient_attack()->run(ctx);
  ASSERT_TRUE(out.candidate.has_value());
  const int right = 16 - out.candidate->hamming_distance(key);
  EXPECT_GE(right, 15) << mode;
  EXPECT_GE(out.detail["own_data_accuracy"].get<double>(), 95.0) << mode;
  EXPECT_EQ(out.labelled_images, 500);
  EXPECT_GT(out.forward_passes, 200 * 256);
}

TEST(GradientAttack, StraightThroughRecoversTheKeyOfAPerfectlyLearnableTinyModel) {
  check_gradient_recovers_tiny_key("ste");
}
TEST(GradientAttack, TanhRelaxationRecoversTheKeyOfAPerfectlyLearnableTinyModel) {
  check_gradient_recovers_tiny_key("tanh");
}

TEST(GradientAttack, UnknownOptionIsRefusedNamingIt) {
  AttackContext ctx;
  ctx.options = {{"stpes", 3}};
  try {
    make_gradient_attack()->run(ctx);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gradient.stpes"), std::string::npos);
  }
}

struct Locked {
  Graph graph;
  QuantModel locked;
  ImageSet train, test;
};

Locked locked_mlp() {
  Locked l;
  l.graph = import_onnx(KEYMAC_SOURCE_DIR "/models/fmnist_mlp.onnx");
  const QuantModel q = quantize_on_training_set(l.graph, kDefaultDataDir, 500, Preprocess{});
  l.locked = lock_model(q, Key::seeded_random(Geometry::make(16, 16), 21));
  l.train = load_idx(kDefaultDataDir, "train", 6000);
  l.test = load_idx(kDefaultDataDir, "t10k", 1000);
  return l;
}

AttackOutcome finetune(const Locked& l, nlohmann::json options) {
  AttackContext ctx;
  ctx.locked = &l.locked;
  ctx.geometry = l.locked.lock_geometry;
  ctx.train_pool = &l.train;
  ctx.test = &l.test;
  ctx.seed = 5;
  ctx.threads = 2;
  ctx.options = std::move(options);
  return make_finetune_attack()->run(ctx);
}

TEST(FinetuneAttack, ZeroEpochsEqualsThePlainArrayFloatAccuracyForEverySeed) {
  const Locked l = locked_mlp();
  const auto x = preprocess_pixels(l.test.pixels.data(), l.test.pixels.size(), Preprocess{});
  const auto scores = run_float(dequantised_graph(l.graph, l.locked), x.data(), l.test.count);
  int64_t correct = 0;
  for (int64_t i = 0; i < l.test.count; ++i) correct += argmax(scores.data() + i * 10, 10) == l.test.labels[static_cast<size_t>(i)];
  const double plain = 100.0 * static_cast<double>(correct) / static_cast<double>(l.test.count);

  const AttackOutcome out = finetune(l, {{"epochs", 0}, {"fractions", {0.1}}, {"seeds", 3}});
  const auto& row = out.detail["table"].at(0);
  EXPECT_EQ(row["images"].get<int64_t>(), 600);
  EXPECT_EQ(row["seeds"].get<int64_t>(), 3);
  EXPECT_DOUBLE_EQ(row["finetune_mean"].get<double>(), plain);
  EXPECT_DOUBLE_EQ(row["finetune_std"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(out.detail["plain_float_accuracy"].get<double>(), plain);
  EXPECT_EQ(out.detail["runs"].size(), 3u);
}

TEST(FinetuneAttack, OneEpochOfFineTuningLiftsTheLockedMlpFarAboveThePlainArray) {
  const Locked l = locked_mlp();
  const AttackOutcome out = finetune(l, {{"epochs", 1}, {"fractions", {0.1}}, {"seeds", 1}});
  const double plain = out.detail["plain_float_accuracy"].get<double>();
  const double tuned = out.detail["table"].at(0)["finetune_mean"].get<double>();
  EXPECT_GT(tuned, plain + 20.0) << "plain " << plain << " tuned " << tuned;
  EXPECT_GT(tuned, 50.0);
}

}  // namespace
}  // namespace keymac
