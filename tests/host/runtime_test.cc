// The host runtime on the shipped models and the real test set: import,
// quantization quality, locking identities, and the package format.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "host/backend/functional_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/error.h"

namespace keymac {
namespace {

const std::string kModels = KEYMAC_SOURCE_DIR "/models/";

std::vector<float> to_float(const ImageSet& s) {
  std::vector<float> v(s.pixels.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(s.pixels[i]) / 255.0f;
  return v;
}

QuantModel quantized(const std::string& file) {
  const Graph g = import_onnx(kModels + file);
  const ImageSet train = load_idx(kDefaultDataDir, "train", 500);
  return quantize(g, to_float(train), train.count, Preprocess{});
}

TEST(OnnxImport, ShippedMlpIsThreeGemmLayers784To128To64To10) {
  const Graph g = import_onnx(kModels + "fmnist_mlp.onnx");
  std::vector<std::pair<int64_t, int64_t>> kn;
  for (const auto& l : g.layers)
    if (l.is_gemm_like()) kn.emplace_back(l.k, l.n);
  EXPECT_EQ(kn, (std::vector<std::pair<int64_t, int64_t>>{{784, 128}, {128, 64}, {64, 10}}));
}

TEST(OnnxImport, ShippedCnnLowersConvToIm2colShapes) {
  const Graph g = import_onnx(kModels + "fmnist_cnn.onnx");
  std::vector<std::pair<int64_t, int64_t>> kn;
  for (const auto& l : g.layers)
    if (l.is_gemm_like()) kn.emplace_back(l.k, l.n);
  // Conv(1,8,5): K = 1*5*5; Conv(8,16,5): K = 8*5*5; then 16*4*4 = 256 -> 64 -> 10.
  EXPECT_EQ(kn, (std::vector<std::pair<int64_t, int64_t>>{{25, 8}, {200, 16}, {256, 64}, {64, 10}}));
}

TEST(OnnxImport, MissingAndCorruptFilesAreRefusedNamingTheFile) {
  EXPECT_THROW(import_onnx("/nonexistent.onnx"), Error);
  const std::string bad = ::testing::TempDir() + "/corrupt.onnx";
  std::ofstream(bad) << "this is not protobuf \x01\x02\x03";
  try {
    import_onnx(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos);
  }
}

TEST(Quantize, WeightsAreSymmetricInt8AndInt8ModelTracksFloat) {
  const QuantModel q = quantized("fmnist_cnn.onnx");
  for (const auto& l : q.layers)
    for (auto w : l.weight) ASSERT_GE(w, -127);
  const Graph g = import_onnx(kModels + "fmnist_cnn.onnx");
  const ImageSet test = load_idx(kDefaultDataDir, "t10k", 1000);
  const auto xf = to_float(test);
  const auto fs = run_float(g, xf.data(), test.count);
  FunctionalBackend be(Geometry::make(16, 16));
  be.reset(nullptr);
  Int8Runner runner(q, be);
  const auto qs = runner.run(test.pixels.data(), test.count);
  int agree = 0;
  for (int64_t i = 0; i < test.count; ++i) agree += argmax(fs.data() + i * 10, 10) == argmax(qs.data() + i * 10, 10);
  EXPECT_GE(agree, 970) << "int8 and float predictions agree on " << agree << " of 1000";
}

TEST(Locking, RightKeyReproducesEveryLayersInt32OutputsOfTheUnlockedModel) {
  for (const char* model : {"fmnist_mlp.onnx", "fmnist_cnn.onnx"})
    for (auto geo : {Geometry::make(16, 16), Geometry::make(5, 3)}) {
      const QuantModel q = quantized(model);
      const Key key = Key::seeded_random(geo, 99);
      const QuantModel locked = lock_model(q, key);
      const ImageSet test = load_idx(kDefaultDataDir, "t10k", 300);
      std::vector<std::vector<int32_t>> ref, got;
      FunctionalBackend plain(geo), keyed(geo);
      plain.reset(nullptr);
      SerialKeySource src(key);
      keyed.reset(&src);
      Int8Runner(q, plain).run(test.pixels.data(), test.count, nullptr,
                               [&](size_t, const int32_t* y, int64_t n) { ref.emplace_back(y, y + n); });
      Int8Runner(locked, keyed).run(test.pixels.data(), test.count, nullptr,
                                    [&](size_t, const int32_t* y, int64_t n) { got.emplace_back(y, y + n); });
      ASSERT_EQ(ref.size(), got.size());
      for (size_t i = 0; i < ref.size(); ++i) EXPECT_EQ(ref[i], got[i]) << model << " layer " << i << " on " << geo.str();
    }
}

TEST(Locking, LockedWeightsDifferInSignOnAboutHalfTheWeights) {
  const QuantModel q = quantized("fmnist_mlp.onnx");
  const QuantModel locked = lock_model(q, Key::secure_random(Geometry::make(16, 16)));
  int64_t nonzero = 0, flipped = 0;
  for (size_t li = 0; li < q.layers.size(); ++li)
    for (size_t i = 0; i < q.layers[li].weight.size(); ++i) {
      const int a = q.layers[li].weight[i], b = locked.layers[li].weight[i];
      ASSERT_EQ(std::abs(a), std::abs(b));
      nonzero += a != 0;
      flipped += a != b;
    }
  EXPECT_GT(flipped, nonzero * 4 / 10);
  EXPECT_LT(flipped, nonzero * 6 / 10);
}

TEST(Package, RoundTripsAndHoldsNoUnlockedWeights) {
  const QuantModel q = quantized("fmnist_mlp.onnx");
  const Key key = Key::seeded_random(Geometry::make(8, 4), 5);
  const QuantModel locked = lock_model(q, key);
  const std::string path = ::testing::TempDir() + "/m.kmpkg";
  write_package(path, locked);
  const QuantModel back = read_package(path);
  EXPECT_TRUE(back.locked);
  EXPECT_EQ(back.lock_geometry, Geometry::make(8, 4));
  ASSERT_EQ(back.layers.size(), locked.layers.size());
  for (size_t i = 0; i < back.layers.size(); ++i) {
    EXPECT_EQ(back.layers[i].weight, locked.layers[i].weight);
    EXPECT_EQ(back.layers[i].bias, locked.layers[i].bias);
    if (!q.layers[i].weight.empty()) {
      EXPECT_NE(back.layers[i].weight, q.layers[i].weight);
    }
  }
  EXPECT_EQ(unlock_model(back, key).layers[0].weight, q.layers[0].weight);
  EXPECT_THROW(write_package(path, q), Error);  // unlocked models are never packaged
}

TEST(Package, CorruptedOrTruncatedPackagesAreRefused) {
  const QuantModel locked = lock_model(quantized("fmnist_mlp.onnx"), Key::seeded_random(Geometry::make(4, 4), 1));
  const std::string path = ::testing::TempDir() + "/c.kmpkg";
  write_package(path, locked);
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto refused = [&](const std::string& bytes, const char* why) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    try {
      read_package(path);
      ADD_FAILURE() << "accepted " << why;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  };
  std::string flipped = data;
  flipped[data.size() - 100] ^= 0x40;
  refused(flipped, "a flipped data byte");
  refused(data.substr(0, data.size() - 10), "a truncated file");
  refused(data.substr(0, 12), "a stub");
  refused("KEYMACP1" + std::string(8, '\xff'), "a huge header length");
}

}  // namespace
}  // namespace keymac
