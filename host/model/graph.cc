#include "host/model/graph.h"

namespace keymac {

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "," : "") + std::to_string(s[i]);
  return r + "]";
}

std::vector<float> preprocess_pixels(const uint8_t* pixels, size_t count, const Preprocess& p) {
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) out[i] = p(pixels[i]);
  return out;
}

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::kGemm: return "Gemm";
    case LayerKind::kConv: return "Conv";
    case LayerKind::kRelu: return "Relu";
    case LayerKind::kMaxPool: return "MaxPool";
    case LayerKind::kAvgPool: return "AveragePool";
    case LayerKind::kReshape: return "Reshape";
    case LayerKind::kMatMulAct: return "MatMulAct";
    case LayerKind::kAdd: return "Add";
    case LayerKind::kConcat: return "Concat";
    case LayerKind::kSub: return "Sub";
    case LayerKind::kMul: return "Mul";
    case LayerKind::kDiv: return "Div";
    case LayerKind::kPow: return "Pow";
    case LayerKind::kSqrt: return "Sqrt";
    case LayerKind::kErf: return "Erf";
    case LayerKind::kSigmoid: return "Sigmoid";
    case LayerKind::kTanh: return "Tanh";
    case LayerKind::kLeakyRelu: return "LeakyRelu";
    case LayerKind::kHardSwish: return "HardSwish";
    case LayerKind::kHardSigmoid: return "HardSigmoid";
    case LayerKind::kClip: return "Clip";
    case LayerKind::kExp: return "Exp";
    case LayerKind::kScaleShift: return "ScaleShift";
    case LayerKind::kSoftmax: return "Softmax";
    case LayerKind::kTranspose: return "Transpose";
    case LayerKind::kReduceMean: return "ReduceMean";
    case LayerKind::kLayerNorm: return "LayerNormalization";
    case LayerKind::kSlice: return "Slice";
    case LayerKind::kAbs: return "Abs";
    case LayerKind::kNeg: return "Neg";
    case LayerKind::kFloor: return "Floor";
    case LayerKind::kCeil: return "Ceil";
    case LayerKind::kRound: return "Round";
    case LayerKind::kLog: return "Log";
    case LayerKind::kReciprocal: return "Reciprocal";
    case LayerKind::kSign: return "Sign";
    case LayerKind::kSoftplus: return "Softplus";
    case LayerKind::kSoftsign: return "Softsign";
    case LayerKind::kElu: return "Elu";
    case LayerKind::kSelu: return "Selu";
    case LayerKind::kCelu: return "Celu";
    case LayerKind::kThresholdedRelu: return "ThresholdedRelu";
    case LayerKind::kShrink: return "Shrink";
    case LayerKind::kSin: return "Sin";
    case LayerKind::kCos: return "Cos";
    case LayerKind::kTan: return "Tan";
    case LayerKind::kAsin: return "Asin";
    case LayerKind::kAcos: return "Acos";
    case LayerKind::kAtan: return "Atan";
    case LayerKind::kSinh: return "Sinh";
    case LayerKind::kCosh: return "Cosh";
    case LayerKind::kAsinh: return "Asinh";
    case LayerKind::kAcosh: return "Acosh";
    case LayerKind::kAtanh: return "Atanh";
    case LayerKind::kPRelu: return "PRelu";
  }
  return "?";
}

std::vector<int> Graph::inputs_of(size_t i) const {
  const auto& in = layers[i].inputs;
  return in.empty() ? std::vector<int>{static_cast<int>(i) - 1} : in;
}

bool Graph::is_chain() const {
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto in = inputs_of(i);
    if (in.size() != 1 || in[0] != static_cast<int>(i) - 1) return false;
  }
  return true;
}

std::vector<int> Graph::consumer_counts() const {
  std::vector<int> c(layers.size() + 1, 0);
  for (size_t i = 0; i < layers.size(); ++i)
    for (int t : inputs_of(i)) ++c[static_cast<size_t>(t + 1)];
  return c;
}

}  // namespace keymac
