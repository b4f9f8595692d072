// Issue 12, the pool/conv window features the importer lowers to explicit
// windows: ceil_mode=1 (with ONNX's / PyTorch's rule that the last window
// starts inside the input or its left padding), count_include_pad=1 (the
// explicit padding counts, the ceil_mode extension does not), auto_pad
// SAME_UPPER / SAME_LOWER (the odd padding unit at the end / the start) and
// 1-D pools. Expected values are worked by hand from the definitions (and agree
// with torch.nn.functional.max_pool1d / avg_pool1d on the same inputs); the
// int8 run is checked against the same closed forms within its quantisation step.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/backend/array_backend.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/int8_runner.h"
#include "tests/host/onnx_test_model.h"

namespace keymac {
namespace {

struct PoolSpec {
  std::string op = "MaxPool";
  int64_t length = 5, kernel = 2, stride = 2, pad_begin = 0, pad_end = 0;
  bool ceil = false, count_pad = false;
  std::string auto_pad;  // empty: explicit pads
};

void ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

void one_int(onnx::NodeProto* n, const char* name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// x [N,1,L] -> 1-D pool -> Flatten -> Gemm with the identity weight (keymac
// imports graphs with an array layer), so the output is the pool's.
Graph pool_model(const PoolSpec& p, int64_t out_len) {
  const std::string bytes = test::onnx_model_bytes({1, p.length}, [&](onnx::GraphProto& g) {
    auto* n = g.add_node();
    n->set_op_type(p.op);
    n->set_name("pool");
    n->add_input("x");
    n->add_output("p");
    ints(n, "kernel_shape", {p.kernel});
    ints(n, "strides", {p.stride});
    if (p.auto_pad.empty()) {
      ints(n, "pads", {p.pad_begin, p.pad_end});
    } else {
      auto* a = n->add_attribute();
      a->set_name("auto_pad");
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(p.auto_pad);
    }
    if (p.ceil) one_int(n, "ceil_mode", 1);
    if (p.count_pad) one_int(n, "count_include_pad", 1);
    auto* f = g.add_node();
    f->set_op_type("Flatten");
    f->add_input("p");
    f->add_output("f");
    auto* w = g.add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::FLOAT);
    w->add_dims(out_len);
    w->add_dims(out_len);
    for (int64_t i = 0; i < out_len * out_len; ++i) w->add_float_data(i % (out_len + 1) == 0 ? 1.0f : 0.0f);
    auto* gm = g.add_node();
    gm->set_op_type("Gemm");
    gm->add_input("f");
    gm->add_input("w");
    gm->add_output("y");
    g.add_output()->set_name("y");
  });
  return import_onnx_bytes(bytes, "pool.onnx");
}

std::vector<float> float_run(const Graph& g, const std::vector<float>& x) {
  return run_float(g, x, Shape{1, 1, static_cast<int64_t>(x.size())});
}

void expect_floats(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << "element " << i;
}

const std::vector<float> kX5 = {3, -1, 4, 1, -5};

TEST(PoolCeilMode, ALastWindowStartingInTheEndPaddingIsDropped) {
  // L=5, k=2, s=2, pads 1/1: ceil((5+2-2)/2)+1 = 4 windows, but the 4th would start at
  // 5 (past the input and its left padding), so 3: [pad,x0] [x1,x2] [x3,x4].
  PoolSpec p;
  p.pad_begin = p.pad_end = 1;
  p.ceil = true;
  const Graph g = pool_model(p, 3);
  expect_floats(float_run(g, kX5), {3, 4, 1});
}

TEST(PoolCeilMode, AverageOfAPartialLastWindowDividesByItsInputsOnly) {
  // L=5, k=2, s=2, no pads: ceil((5-2)/2)+1 = 3 windows; the last holds x4 alone.
  PoolSpec p;
  p.op = "AveragePool";
  p.ceil = true;
  const Graph g = pool_model(p, 3);
  expect_floats(float_run(g, kX5), {1, 2.5f, -5});
}

TEST(PoolCountIncludePad, TheExplicitPaddingCountsButNotTheCeilExtension) {
  // L=6, k=3, s=2, pads 1/1, ceil: windows start at -1, 1, 3, 5. With padding
  // counted: (0+3-1)/3, (-1+4+1)/3, (1-5+2)/3, and the last (x5, pad, extension)
  // divides by 2 (x5 and the explicit pad), not 3.
  PoolSpec p;
  p.op = "AveragePool";
  p.length = 6;
  p.kernel = 3;
  p.pad_begin = p.pad_end = 1;
  p.ceil = true;
  p.count_pad = true;
  const std::vector<float> x = {3, -1, 4, 1, -5, 2};
  const std::vector<float> want = {2.0f / 3, 4.0f / 3, -2.0f / 3, 1.0f};
  const Graph g = pool_model(p, 4);
  expect_floats(float_run(g, x), want);
  // Without count_include_pad the padding never counts: 2/2, 4/3, -2/3, 2/1.
  p.count_pad = false;
  expect_floats(float_run(pool_model(p, 4), x), {1.0f, 4.0f / 3, -2.0f / 3, 2.0f});

  // Int8 (the runtime's integer average): the same closed form within two steps
  // of the output scale (input and output rounding).
  const QuantModel q = quantize(g, x, 1, Preprocess{});
  const Geometry geo = Geometry::make(4, 4);
  auto be = make_backend("functional", geo, BackendOptions{});
  be->reset(nullptr);
  Int8Runner r(q, *be);
  const auto y = r.run_input(x.data(), 1);
  ASSERT_EQ(y.size(), want.size());
  const float step = 5.0f / 127.0f;  // the input scale, max|x| / 127 (the output's is smaller)
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[i], want[i], 2 * step + 1e-6f) << "int8 element " << i;
}

TEST(AutoPad, SameUpperPadsTheOddUnitAtTheEndSameLowerAtTheStart) {
  // L=4, k=2, s=1: out = 4, total padding 1.
  PoolSpec p;
  p.length = 4;
  p.stride = 1;
  const std::vector<float> x = {3, -1, 4, 1};
  p.auto_pad = "SAME_UPPER";
  const Graph up = pool_model(p, 4);
  EXPECT_EQ(up.layers[1].win.pl, 0);
  EXPECT_EQ(up.layers[1].win.pr, 1);
  expect_floats(float_run(up, x), {3, 4, 4, 1});
  p.auto_pad = "SAME_LOWER";
  const Graph low = pool_model(p, 4);
  EXPECT_EQ(low.layers[1].win.pl, 1);
  EXPECT_EQ(low.layers[1].win.pr, 0);
  expect_floats(float_run(low, x), {3, 3, 4, 4});
  p.auto_pad = "VALID";
  expect_floats(float_run(pool_model(p, 3), x), {3, 4, 4});
}

}  // namespace
}  // namespace keymac
