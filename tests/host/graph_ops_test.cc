// Issue 12, units: the integer join rescale against its closed form, the
// importer's one-line refusals, and run_float's input-shape contract.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>

#include "host/backend/array_backend.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/error.h"
#include "tests/host/onnx_test_model.h"

namespace keymac {
namespace {

// A graph input -> Gemm(a) and Gemm(b) with different output ranges -> Add.
Graph residual_pair() {
  Graph g;
  g.source = "pair";
  g.input_shape = {4};
  for (float gain : {1.0f, 5.0f}) {
    Layer l;
    l.kind = LayerKind::kGemm;
    l.name = "fc" + std::to_string(static_cast<int>(gain));
    l.inputs = {kGraphInput};
    l.in_shape = {4};
    l.out_shape = {3};
    l.k = 4;
    l.n = 3;
    for (int i = 0; i < 12; ++i) l.weight.push_back(gain * std::sin(0.7f * static_cast<float>(i) + gain));
    l.bias.assign(3, 0.1f);
    g.layers.push_back(l);
  }
  Layer add;
  add.kind = LayerKind::kAdd;
  add.name = "join";
  add.inputs = {0, 1};
  add.in_shape = add.out_shape = {3};
  g.layers.push_back(add);
  return g;
}

TEST(IntegerJoin, AddRescalesBothBranchesToTheCommonScaleWithinOneStep) {
  const Graph g = residual_pair();
  std::vector<float> x;
  for (int i = 0; i < 4 * 32; ++i) x.push_back(std::cos(0.37f * static_cast<float>(i)));
  const QuantModel q = quantize(g, x, 32, Preprocess{});
  const QuantLayer& a = q.layers[0];
  const QuantLayer& b = q.layers[1];
  const QuantLayer& j = q.layers[2];
  ASSERT_EQ(j.join_mult.size(), 2u);
  EXPECT_NE(a.out_scale, b.out_scale) << "the test needs branches of different scales";
  // Closed form: q_o = round((q_a s_a + q_b s_b) / s_o), so the int8 path must
  // land within one step of it (the Q16 multipliers round s_i/s_o).
  std::vector<std::vector<int8_t>> branch(2);
  auto backend = make_backend("functional", Geometry::make(4, 4), BackendOptions{});
  backend->reset(nullptr);
  Int8Runner r(q, *backend);
  const auto out = r.run_input(x.data(), 32);
  // Reconstruct the branch int8 values from the float path's equivalent: run
  // each branch alone as its own model output.
  for (size_t side = 0; side < 2; ++side) {
    QuantModel one = q;
    one.layers.resize(side + 1);
    one.layers[side].inputs = {kGraphInput};
    if (side == 1) one.layers.erase(one.layers.begin());
    one.num_outputs = 3;
    Int8Runner rb(one, *backend);
    const auto y = rb.run_input(x.data(), 32);
    for (float v : y) branch[side].push_back(static_cast<int8_t>(std::lround(v / one.layers.back().out_scale)));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const double exact = (branch[0][i] * static_cast<double>(a.out_scale) + branch[1][i] * static_cast<double>(b.out_scale)) / j.out_scale;
    const double expect = std::max(-128.0, std::min(127.0, std::nearbyint(exact)));
    EXPECT_LE(std::fabs(out[i] / j.out_scale - expect), 1.0) << "element " << i;
  }
}

// Input x: [N, 3, 5].
std::string model_bytes(const std::function<void(onnx::GraphProto&)>& build) {
  return test::onnx_model_bytes({3, 5}, build);
}

std::string import_error(const std::string& bytes) {
  try {
    import_onnx_bytes(bytes, "m.onnx");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ImportRefusals, UnsupportedOperatorIsOneLineNamingOpAndNode) {
  const std::string err = import_error(model_bytes([](onnx::GraphProto& g) {
    auto* n = g.add_node();
    n->set_op_type("Hardmax");
    n->set_name("hm");
    n->add_input("x");
    n->add_output("y");
    g.add_output()->set_name("y");
  }));
  EXPECT_EQ(err, "m.onnx: unsupported operator 'Hardmax' (node 'hm')");
}

TEST(ImportRefusals, TransposeThatMovesTheBatchIsRefused) {
  const std::string err = import_error(model_bytes([](onnx::GraphProto& g) {
    auto* n = g.add_node();
    n->set_op_type("Transpose");
    n->set_name("t");
    n->add_input("x");
    n->add_output("y");
    auto* a = n->add_attribute();
    a->set_name("perm");
    a->set_type(onnx::AttributeProto::INTS);
    for (int v : {1, 0, 2}) a->add_ints(v);
    g.add_output()->set_name("y");
  }));
  EXPECT_NE(err.find("node 't' (Transpose): perm must keep the batch dimension first"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
}

TEST(RunFloat, TakesAnyInputShapeAndChecksItAgainstTheModel) {
  // Softmax over the last axis of a [N,3,5] input (no 784 anywhere).
  const Graph g = import_onnx_bytes(model_bytes([](onnx::GraphProto& gp) {
    auto* n = gp.add_node();
    n->set_op_type("Softmax");
    n->add_input("x");
    n->add_output("y");
    gp.add_output()->set_name("y");
  }), "s.onnx");
  std::vector<float> x(2 * 15);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
  const auto y = run_float(g, x, Shape{2, 3, 5});
  ASSERT_EQ(y.size(), x.size());
  for (int row = 0; row < 6; ++row) {
    double sum = 0;
    for (int c = 0; c < 5; ++c) sum += std::exp(static_cast<double>(x[static_cast<size_t>(row * 5 + c)]));
    for (int c = 0; c < 5; ++c)
      EXPECT_NEAR(y[static_cast<size_t>(row * 5 + c)], std::exp(static_cast<double>(x[static_cast<size_t>(row * 5 + c)])) / sum, 1e-6);
  }
  EXPECT_THROW(run_float(g, x, Shape{2, 15}), Error);
  EXPECT_THROW(run_float(g, std::vector<float>(5), Shape{2, 3, 5}), Error);
}

}  // namespace
}  // namespace keymac
