// Issue 12: the models tests/models/make_graph_models.py builds with PyTorch
// (one per graph feature) import into keymac, whose float outputs equal
// PyTorch's on the same inputs, and whose int8 run on the locked array with
// the right key equals the int8 reference (unlocked, plain array) bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "host/backend/array_backend.h"
#include "host/lock/package.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/int8_runner.h"

namespace keymac {
namespace {

struct ModelCase {
  std::string name;
  Shape in_shape;  // batch first
  int64_t outputs = 0;
};

std::string models_dir() {
  const char* d = std::getenv("KEYMAC_GRAPH_MODELS");
  return d ? d : "";
}

std::vector<ModelCase> cases() {
  std::vector<ModelCase> out;
  std::ifstream f(models_dir() + "/models.txt");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    ModelCase c;
    std::string shape;
    ls >> c.name >> shape >> c.outputs;
    std::stringstream ss(shape);
    for (std::string d; std::getline(ss, d, ',');) c.in_shape.push_back(std::stoll(d));
    out.push_back(c);
  }
  return out;
}

std::vector<float> read_floats(const std::string& path, int64_t count) {
  std::ifstream f(path, std::ios::binary);
  std::vector<float> v(static_cast<size_t>(count));
  f.read(reinterpret_cast<char*>(v.data()), count * 4);
  EXPECT_TRUE(f.good()) << path;
  return v;
}

int argmax_of(const float* v, int64_t n) { return static_cast<int>(std::max_element(v, v + n) - v); }

class GraphModel : public ::testing::TestWithParam<std::string> {};

// What each model must import as (so a model cannot pass by not exercising its feature).
void expect_structure(const std::string& name, const Graph& g) {
  auto count = [&](auto pred) { return std::count_if(g.layers.begin(), g.layers.end(), pred); };
  auto kind = [&](LayerKind k) { return count([k](const Layer& l) { return l.kind == k; }); };
  auto join = [&](LayerKind k) { return count([k](const Layer& l) { return l.kind == k && l.inputs.size() == 2; }); };
  if (name == "residual") {
    EXPECT_EQ(join(LayerKind::kAdd), 2) << "two residual joins";
    EXPECT_EQ(kind(LayerKind::kScaleShift), 0) << "every BatchNorm folded into its conv";
  }
  if (name == "standalone_bn") {
    EXPECT_EQ(kind(LayerKind::kScaleShift), 1);
  }
  if (name == "cifar_shape") {
    EXPECT_EQ(kind(LayerKind::kScaleShift), 0);
  }
  if (name == "concat") {
    EXPECT_EQ(join(LayerKind::kConcat), 1);
  }
  if (name == "split_slice") {
    EXPECT_EQ(kind(LayerKind::kSlice), 4) << "two Split outputs and a Slice along two axes";
    EXPECT_EQ(join(LayerKind::kSub), 1);
  }
  if (name == "grouped_conv" || name == "depthwise_conv") {
    EXPECT_EQ(count([](const Layer& l) { return l.groups > 1; }), 1);
  }
  if (name == "dilated_conv") {
    EXPECT_EQ(count([](const Layer& l) { return l.win.dh > 1; }), 2);
  }
  if (name == "conv_transpose") {
    EXPECT_EQ(count([](const Layer& l) { return l.win.uh == 2; }), 1);
  }
  if (name.rfind("transformer", 0) == 0) {
    EXPECT_EQ(kind(LayerKind::kMatMulAct), 2) << "QK^T and AV";
    EXPECT_EQ(kind(LayerKind::kSoftmax), 1);
    EXPECT_EQ(kind(LayerKind::kLayerNorm), name == "transformer_op17" ? 2 : 0);
  }
  if (name == "act_gelu_erf") {
    EXPECT_EQ(kind(LayerKind::kErf), 1);
  }
  if (name == "act_elu") {
    EXPECT_EQ(kind(LayerKind::kElu), 1);
  }
  if (name == "act_selu") {
    EXPECT_EQ(kind(LayerKind::kSelu), 1);
  }
  if (name == "act_celu") {
    EXPECT_EQ(kind(LayerKind::kCelu), 1);
  }
  if (name == "act_softplus") {
    EXPECT_EQ(kind(LayerKind::kSoftplus), 1);
  }
  if (name == "act_prelu") {
    EXPECT_EQ(kind(LayerKind::kPRelu), 1);
  }
  if (name == "conv1d") {  // 1-D layers run as 2-D ones with H=1; auto_pad=SAME_UPPER gave pads (k-1)*d/2
    EXPECT_EQ(count([](const Layer& l) { return l.kind == LayerKind::kConv && l.win.kh == 1 && l.out_shape[1] == 1; }), 2);
    EXPECT_EQ(count([](const Layer& l) { return l.kind == LayerKind::kConv && l.win.pl == 2 && l.win.pr == 2; }), 2);
    EXPECT_EQ(count([](const Layer& l) { return l.kind == LayerKind::kMaxPool && l.win.ceil_r > 0; }), 1) << "ceil_mode";
    EXPECT_EQ(count([](const Layer& l) { return l.kind == LayerKind::kMaxPool && l.win.dw == 2; }), 1) << "dilated pool";
    EXPECT_EQ(count([](const Layer& l) { return l.kind == LayerKind::kAvgPool && l.win.ceil_r > 0; }), 1) << "ceil_mode";
  }
  if (name == "act_gelu_tanh") {
    EXPECT_EQ(kind(LayerKind::kTanh), 1);
  }
}

TEST_P(GraphModel, FloatOutputsEqualPyTorchAndRightKeyInt8EqualsReference) {
  ModelCase mc;
  for (const auto& c : cases())
    if (c.name == GetParam()) mc = c;
  ASSERT_FALSE(mc.name.empty()) << "model " << GetParam() << " missing from " << models_dir();
  const std::string base = models_dir() + "/" + mc.name;
  const Graph g = import_onnx(base + ".onnx");
  expect_structure(mc.name, g);
  const int64_t batch = mc.in_shape[0];
  const auto in = read_floats(base + ".in", numel(mc.in_shape));
  const auto ref = read_floats(base + ".out", batch * mc.outputs);

  // Float: PyTorch's outputs within 1e-4 of the output's magnitude; same argmax.
  const auto y = run_float(g, in, mc.in_shape);
  ASSERT_EQ(y.size(), ref.size());
  float mag = 0.0f;
  for (float v : ref) mag = std::max(mag, std::fabs(v));
  int same_top1 = 0;
  for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], ref[i], 1e-4f * mag) << mc.name << " element " << i;
  for (int64_t b = 0; b < batch; ++b)
    same_top1 += argmax_of(y.data() + b * mc.outputs, mc.outputs) == argmax_of(ref.data() + b * mc.outputs, mc.outputs);
  EXPECT_EQ(same_top1, batch);

  // Int8: calibrated on the inputs; locked with a key; the right key on the
  // keyed array reproduces the plain-array reference bit for bit.
  const QuantModel q = quantize(g, in, batch, Preprocess{});
  const Geometry geo = Geometry::make(8, 8);
  const Key key = Key::seeded_random(geo, 42), wrong = Key::seeded_random(geo, 43);
  const SerialKeySource ks(key), ws(wrong);
  const QuantModel locked = lock_model(q, ks);
  auto run = [&](const QuantModel& m, const KeySource* k) {
    auto be = make_backend("functional", geo, BackendOptions{});
    be->reset(k);
    Int8Runner r(m, *be, k);
    return r.run_input(in.data(), batch);
  };
  const auto int8_ref = run(q, nullptr);
  const auto right = run(locked, &ks);
  ASSERT_EQ(int8_ref.size(), right.size());
  EXPECT_TRUE(std::equal(int8_ref.begin(), int8_ref.end(), right.begin(),
                         [](float a, float b) { return std::memcmp(&a, &b, 4) == 0; }))
      << mc.name << ": right key differs from the int8 reference";
  EXPECT_NE(run(locked, &ws), int8_ref) << mc.name << ": a wrong key gives the reference";
  // The package keeps the DAG: read back, the right key still gives the reference.
  const std::string pkg = ::testing::TempDir() + "/" + mc.name + ".kmpkg";
  write_package(pkg, locked);
  EXPECT_EQ(run(read_package(pkg), &ks), int8_ref) << mc.name << ": package round trip changed the model";

  // Int8 agrees with float on the top-1 class (random weights: near ties flip).
  int agree = 0;
  for (int64_t b = 0; b < batch; ++b)
    agree += argmax_of(int8_ref.data() + b * mc.outputs, mc.outputs) == argmax_of(y.data() + b * mc.outputs, mc.outputs);
  RecordProperty("int8_top1_agreement", agree);
  std::printf("%s: int8 top-1 agrees with float on %d/%lld inputs\n", mc.name.c_str(), agree, static_cast<long long>(batch));
  EXPECT_GE(agree, batch * 9 / 10) << mc.name;
}

// Every other backend built (systemc, rtl) gives the functional backend's int8
// scores bit for bit on DAG models with joins, host operators and attention.
TEST(GraphModelBackends, EveryBackendGivesTheFunctionalInt8ResultsBitForBit) {
  const std::string backends = available_backends();
  for (const std::string name : {"residual", "concat", "depthwise_conv", "transformer_op13"}) {
    ModelCase mc;
    for (const auto& c : cases())
      if (c.name == name) mc = c;
    ASSERT_FALSE(mc.name.empty()) << name;
    const std::string base = models_dir() + "/" + name;
    const Graph g = import_onnx(base + ".onnx");
    const int64_t batch = 4;  // cycle-level backends are slow
    const auto in = read_floats(base + ".in", numel(mc.in_shape));
    const Geometry geo = Geometry::make(4, 4);
    const Key key = Key::seeded_random(geo, 7);
    const SerialKeySource ks(key);
    const QuantModel locked = lock_model(quantize(g, in, mc.in_shape[0], Preprocess{}), ks);
    auto run = [&](const std::string& be_name) {
      auto be = make_backend(be_name, geo, BackendOptions{});
      be->reset(&ks);
      Int8Runner r(locked, *be, &ks);
      return r.run_input(in.data(), batch);
    };
    const auto functional = run("functional");
    int others = 0;
    for (const std::string be : {"systemc", "rtl"}) {
      if (backends.find(be) == std::string::npos) continue;
      EXPECT_EQ(run(be), functional) << name << " on " << be;
      ++others;
    }
    std::printf("%s: %d other backend(s) compared (available: %s)\n", name.c_str(), others, backends.c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(Issue12, GraphModel,
                         ::testing::Values("residual", "standalone_bn", "concat", "split_slice", "act_sigmoid", "act_tanh",
                                           "act_leakyrelu", "act_hardswish", "act_hardsigmoid", "act_gelu_erf",
                                           "act_gelu_tanh", "act_relu6", "act_softmax", "grouped_conv",
                                           "depthwise_conv", "dilated_conv", "conv_transpose", "cifar_shape",
                                           "transformer_op13", "transformer_op17", "conv1d", "act_elu", "act_selu",
                                           "act_celu", "act_softplus", "act_prelu"));

}  // namespace
}  // namespace keymac
