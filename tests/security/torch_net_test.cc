// The torch translation of a QuantModel (host/security/torch_net.h) against
// keymac's own executors on the shipped models and real test images:
//  * the float executor (float_executor.cc) on the same dequantised weights
//    gives the same scores (independent implementation of conv layout, pools,
//    reshape, ReLU);
//  * the original float ONNX graph and the bit-exact int8 runner on a keyed
//    functional array predict the same classes on >= 99 % of images
//    (dequantisation only rounds weights to int8 steps);
//  * a locked model with signs = 1 - 2*key is the unlocked model, and with
//    signs = +1 it is the plain-array (locked) model.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "host/backend/array_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/int8_runner.h"
#include "host/security/torch_net.h"
#include "tests/security/torch_test_util.h"

namespace keymac {
namespace {

const std::string kModels = KEYMAC_SOURCE_DIR "/models/";
constexpr int64_t kImages = 400;

struct Fixture {
  Graph graph;
  QuantModel unlocked, locked;
  Key key;
  ImageSet test;
};

Fixture make_fixture(const std::string& file) {
  torch::set_num_threads(2);
  Fixture f;
  f.graph = import_onnx(kModels + file);
  f.unlocked = quantize_on_training_set(f.graph, kDefaultDataDir, 500, Preprocess{});
  f.key = Key::seeded_random(Geometry::make(16, 16), 7);
  f.locked = lock_model(f.unlocked, f.key);
  f.test = load_idx(kDefaultDataDir, "t10k", kImages);
  return f;
}

std::vector<float> float_scores(const Graph& g, const ImageSet& s) {
  const auto x = preprocess_pixels(s.pixels.data(), s.pixels.size(), Preprocess{});
  return run_float(g, x.data(), s.count);
}

std::vector<int> argmaxes(const float* scores, int64_t rows, int64_t classes) {
  std::vector<int> out;
  for (int64_t i = 0; i < rows; ++i) out.push_back(argmax(scores + i * classes, classes));
  return out;
}

double agreement(const std::vector<int>& a, const std::vector<int>& b) {
  int64_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

std::vector<float> to_vector(const torch::Tensor& t) {
  auto c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor signs_of(const Key& key) {
  auto s = torch::empty({key.geometry().rows, key.geometry().cols});
  for (int r = 0; r < key.geometry().rows; ++r)
    for (int c = 0; c < key.geometry().cols; ++c) s[r][c] = key.bit(r, c) ? -1.0f : 1.0f;
  return s;
}

void check_model(const std::string& file) {
  const Fixture f = make_fixture(file);
  TorchNet unlocked(f.unlocked), locked(f.locked);
  torch::NoGradGuard no_grad;
  const auto x = images_tensor(f.test, 0, f.test.count, f.unlocked);
  const int64_t classes = f.unlocked.num_outputs;

  // Same dequantised weights through keymac's float executor: same scores.
  const auto ref = float_scores(dequantised_graph(f.graph, f.unlocked), f.test);
  const auto got = to_vector(unlocked.forward(x));
  ASSERT_EQ(got.size(), ref.size());
  float max_ref = 0, max_diff = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    max_ref = std::max(max_ref, std::fabs(ref[i]));
    max_diff = std::max(max_diff, std::fabs(ref[i] - got[i]));
  }
  EXPECT_LT(max_diff, 1e-4f * max_ref) << file << ": torch vs float executor on the dequantised weights";
  const auto pred = argmaxes(got.data(), f.test.count, classes);
  EXPECT_EQ(pred, argmaxes(ref.data(), f.test.count, classes));

  // The original float model and the bit-exact int8 model agree on >= 99 %.
  const auto orig = float_scores(f.graph, f.test);
  EXPECT_GE(agreement(pred, argmaxes(orig.data(), f.test.count, classes)), 0.99) << file << " vs float ONNX";
  const BackendOptions options;  // a named object: GCC 12 warns (falsely) on a {} temporary here
  auto backend = make_backend("functional", f.key.geometry(), options);
  SerialKeySource source(f.key);
  backend->reset(&source);
  Int8Runner runner(f.locked, *backend);
  const auto int8 = runner.run(f.test.pixels.data(), f.test.count);
  EXPECT_GE(agreement(pred, argmaxes(int8.data(), f.test.count, classes)), 0.99) << file << " vs int8 on keyed array";

  // Locked + right-key signs == unlocked, exactly (multiplying by +-1 is exact).
  EXPECT_TRUE(torch::equal(locked.forward(x, signs_of(f.key)), unlocked.forward(x))) << file;
  // Locked with all-+1 signs is the plain array: the int8 runner without a key.
  EXPECT_TRUE(torch::equal(locked.forward(x, torch::ones({16, 16})), locked.forward(x)));
  backend->reset(nullptr);
  const auto plain = runner.run(f.test.pixels.data(), f.test.count);
  const auto plain_torch = to_vector(locked.forward(x));
  EXPECT_GE(agreement(argmaxes(plain_torch.data(), f.test.count, classes), argmaxes(plain.data(), f.test.count, classes)),
            0.95)
      << file << ": plain array, float vs int8";
}

TEST(TorchNet, MlpTranslationMatchesFloatExecutorAndInt8Runner) { check_model("fmnist_mlp.onnx"); }
TEST(TorchNet, CnnTranslationMatchesFloatExecutorAndInt8Runner) { check_model("fmnist_cnn.onnx"); }

}  // namespace
}  // namespace keymac
