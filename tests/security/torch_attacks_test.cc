// The libtorch attacks on cases whose outcome is known in advance.
//
// gradient: the shipped MLP locked for a 4 x 4 array (16 key bits) and 300
// images labelled by the keyed device itself (the int8 runner with the right
// key). The right key reproduces every label, and each of the 16 key bits
// flips a sixteenth of the weights of all three layers, so any wrong bit
// changes many predictions: the problem is perfectly learnable and
// identifiable. Expected: the attack recovers >= 15 of the 16 bits (one bit of
// slack for int8-vs-float label noise and a bit whose flip costs little) and
// its key reproduces >= 95 % of the labels.
// finetune: with 0 epochs the fine-tuned model IS the locked model on a plain
// float array, so its accuracy equals keymac's float executor on the
// dequantised locked weights, for every seed (std 0). Two epochs on 1,500
// images (48 Adam steps) must lift the shipped MLP >= 20 points above the
// plain array (the locked model is near chance, ~10 %).
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

void check_gradient_recovers_small_key(const std::string& mode) {
  const Graph g = import_onnx(KEYMAC_SOURCE_DIR "/models/fmnist_mlp.onnx");
  const QuantModel q = quantize_on_training_set(g, kDefaultDataDir, 200, Preprocess{});
  const Key key = Key::seeded_random(Geometry::make(4, 4), 3);
  const QuantModel locked = lock_model(q, key);
  ImageSet labelled = load_idx(kDefaultDataDir, "train", 300);
  labelled.labels = device_labels(locked, key, labelled);

  AttackContext ctx;
  ctx.locked = &locked;
  ctx.geometry = key.geometry();
  ctx.labelled = &labelled;
  ctx.seed = 1;
  ctx.threads = 2;
  ctx.options = {{"mode", mode}, {"steps", 100}, {"batch", 300}};
  const AttackOutcome out = make_gradient_attack()->run(ctx);
  ASSERT_TRUE(out.candidate.has_value());
  const int right = 16 - out.candidate->hamming_distance(key);
  EXPECT_GE(right, 15) << mode;
  EXPECT_GE(out.detail["own_data_accuracy"].get<double>(), 95.0) << mode;
  EXPECT_EQ(out.labelled_images, 300);
  EXPECT_GT(out.forward_passes, 100 * 300);
}

TEST(GradientAttack, StraightThroughRecoversA4x4KeyFromLabelsTheKeyedDeviceGave) {
  check_gradient_recovers_small_key("ste");
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

TEST(FinetuneAttack, TwoEpochsOfFineTuningLiftTheLockedMlpFarAboveThePlainArray) {
  const Locked l = locked_mlp();
  const AttackOutcome out = finetune(l, {{"epochs", 2}, {"fractions", {0.25}}, {"seeds", 1}});
  const double plain = out.detail["plain_float_accuracy"].get<double>();
  const double tuned = out.detail["table"].at(0)["finetune_mean"].get<double>();
  EXPECT_GT(tuned, plain + 20.0) << "plain " << plain << " tuned " << tuned;
}

}  // namespace
}  // namespace keymac
