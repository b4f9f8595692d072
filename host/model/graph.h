// A network as keymac runs it: a DAG of layers over one input, in topological
// order, with the float parameters the importer read. GEMM-like layers (Gemm,
// Conv) keep their weights as the K x N matrix the array sees
// (ARCHITECTURE.md section 6): Gemm: K = in features, N = out features;
// Conv: K = Cin*kh*kw, N = Cout (a grouped conv is stored block-diagonal,
// a transposed conv as the equivalent conv over its zero-upsampled input;
// ARCHITECTURE.md section 12).
// Tensors are named by integers: kGraphInput for the graph input, i for the
// output of layers[i]. Layer::inputs lists the tensors a layer reads; an
// empty list means "the previous layer's output" (the chain form older
// packages and hand-built graphs use). The last layer's output is the graph
// output.
// Contract: a Graph from import_onnx() has been shape-checked: every layer's
// in_shape equals the shape of its first input (per sample, batch excluded)
// and every input index is smaller than the layer's own index.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace keymac {

using Shape = std::vector<int64_t>;  // per-sample shape, batch dimension excluded

// Element count of a shape; -1 if a dimension is negative or the product
// overflows int64 (so an untrusted shape can never wrap to a plausible size).
inline int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (auto d : s)
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
  return n;
}
std::string shape_str(const Shape& s);

// The first six are the chain layers of the original importer; the rest are
// the DAG and host operators of docs/OPERATORS.md.
enum class LayerKind {
  kGemm, kConv, kRelu, kMaxPool, kAvgPool, kReshape,
  // Array, activation x activation (attention): inputs[0] x inputs[1], not lockable.
  kMatMulAct,
  // Joins.
  kAdd, kConcat,
  // Elementwise with a constant or between broadcastable tensors (float on the host).
  kSub, kMul, kDiv, kPow,
  // Unary host functions.
  kSqrt, kErf, kSigmoid, kTanh, kLeakyRelu, kHardSwish, kHardSigmoid, kClip, kExp,
  // Per-channel y = x * p.consts[c] + p.consts2[c] (BatchNormalization that could not be folded).
  kScaleShift,
  // Axis operations.
  kSoftmax, kTranspose, kReduceMean, kLayerNorm, kSlice,
  // More unary host functions (issue 12: the elementwise ops of PyTorch exports);
  // p.alpha / p.beta carry their attributes (Elu/Celu/ThresholdedRelu alpha,
  // Selu alpha/gamma, Shrink lambd/bias).
  kAbs, kNeg, kFloor, kCeil, kRound, kLog, kReciprocal, kSign, kSoftplus, kSoftsign, kElu, kSelu, kCelu,
  kThresholdedRelu, kShrink, kSin, kCos, kTan, kAsin, kAcos, kAtan, kSinh, kCosh, kAsinh, kAcosh, kAtanh,
  // x < 0 ? slope * x : x, the slope a constant (or tensor) broadcast like Mul's operand.
  kPRelu,
};
constexpr int kLayerKindCount = static_cast<int>(LayerKind::kPRelu) + 1;
// True for the unary host functions (one input, output shape = input shape).
inline bool is_unary_kind(LayerKind k) {
  return (k >= LayerKind::kSqrt && k <= LayerKind::kExp) || k == LayerKind::kRelu ||
         (k >= LayerKind::kAbs && k <= LayerKind::kAtanh);
}
const char* layer_kind_name(LayerKind k);
// True for the kinds that run on the array (weights of Gemm/Conv are lockable).
inline bool is_array_kind(LayerKind k) { return k == LayerKind::kGemm || k == LayerKind::kConv || k == LayerKind::kMatMulAct; }

constexpr int kGraphInput = -1;

struct Window2d {  // kernel / stride / padding of a conv or pool (NCHW)
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  int dh = 1, dw = 1;  // dilation (conv only)
  int uh = 1, uw = 1;  // input zero-upsampling (ConvTranspose lowered to Conv: its stride)
  // Pools only. ceil_mode=1 is lowered to extra end padding ceil_b / ceil_r
  // (included in pb / pr, never counted by an average); count_pad: AveragePool
  // count_include_pad=1 (the divisor counts the explicit padding pt..pb-ceil_b).
  int ceil_b = 0, ceil_r = 0;
  bool count_pad = false;
  int in_h(int h) const { return (h - 1) * uh + 1; }  // height after zero-upsampling
  int in_w(int w) const { return (w - 1) * uw + 1; }
  int out_h(int h) const { return (in_h(h) + pt + pb - ((kh - 1) * dh + 1)) / sh + 1; }
  int out_w(int w) const { return (in_w(w) + pl + pr - ((kw - 1) * dw + 1)) / sw + 1; }
  // Plain: no dilation, upsampling, ceil_mode extension or counted padding (the
  // windows the chain-only exporters and torch_net handle).
  bool is_plain() const { return dh == 1 && dw == 1 && uh == 1 && uw == 1 && ceil_b == 0 && ceil_r == 0 && !count_pad; }
};

// Parameters of the host operators (unused fields stay at their defaults).
struct OpParams {
  std::vector<float> consts;     // constant operand (Sub/Mul/Div/Pow/Add-with-constant), or LayerNorm gamma
  Shape const_shape;             // its per-sample shape, broadcast against the input
  std::vector<float> consts2;    // LayerNorm beta; ScaleShift shift (consts: scale)
  bool const_first = false;      // the constant is the left operand (c - x, c / x)
  float alpha = 0.0f, beta = 0.0f;  // LeakyRelu alpha; HardSigmoid alpha/beta; Clip min/max; epsilon
  std::vector<int64_t> axes;     // Softmax/Concat/LayerNorm: {axis}; ReduceMean: axes; Transpose: perm
  std::vector<int64_t> starts, ends, steps;  // Slice, per entry of axes
};

struct Layer {
  LayerKind kind = LayerKind::kRelu;
  std::string name;       // ONNX node name (or op + index)
  std::vector<int> inputs;  // tensors read (kGraphInput or a layer index); empty: previous layer
  Shape in_shape, out_shape;
  // Gemm / Conv
  int64_t k = 0, n = 0;
  std::vector<float> weight;  // K x N row-major
  std::vector<float> bias;    // N (zeros if the model has none)
  // Conv / pools
  Window2d win;
  int64_t groups = 1;         // Conv: groups of the ONNX node (weights stored block-diagonal)
  OpParams p;                 // host operators
  bool relu_after = false;    // set by the quantizer's fusion analysis only
  bool is_gemm_like() const { return kind == LayerKind::kGemm || kind == LayerKind::kConv; }
};

struct Preprocess {
  // pixel in [0,255] -> (pixel/255 - mean) / std   (ToTensor: mean 0, std 1)
  float mean = 0.0f;
  float std = 1.0f;
  float operator()(uint8_t pixel) const { return (static_cast<float>(pixel) / 255.0f - mean) / std; }
};

// Preprocesses `count` pixels.
std::vector<float> preprocess_pixels(const uint8_t* pixels, size_t count, const Preprocess& p);

struct Graph {
  std::string source;          // file it came from
  std::string input_name;
  Shape input_shape;           // per sample, e.g. {784}, {1,28,28}, {3,32,32}, {28,28}
  std::vector<Layer> layers;
  int64_t num_outputs() const { return numel(layers.empty() ? input_shape : layers.back().out_shape); }
  Shape output_shape() const { return layers.empty() ? input_shape : layers.back().out_shape; }
  // Inputs of layer i, resolving the chain form (empty list) to {i-1}.
  std::vector<int> inputs_of(size_t i) const;
  // Shape of tensor t (kGraphInput or a layer index).
  const Shape& tensor_shape(int t) const { return t == kGraphInput ? input_shape : layers[static_cast<size_t>(t)].out_shape; }
  // True if every layer reads exactly the previous layer's output (the form
  // torch_net, onnx_export and the original runtime handle).
  bool is_chain() const;
  // Per tensor (index t+1 for tensor t): how many layer inputs read it.
  std::vector<int> consumer_counts() const;
};

// Makes every layer's input list explicit (the chain form becomes {i-1}).
template <typename L>
void make_inputs_explicit(std::vector<L>& layers) {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].inputs.empty()) layers[i].inputs = {static_cast<int>(i) - 1};
}

// Removes layer `i` from `layers`; every later reader of its output reads its
// first input instead (Identity; a BatchNorm folded into its producer). The
// caller checks that layers[i] preserves the shape of its first input.
template <typename L>
void bypass_layer(std::vector<L>& layers, size_t i) {
  make_inputs_explicit(layers);
  const int src = layers[i].inputs.at(0), gone = static_cast<int>(i);
  for (size_t j = i + 1; j < layers.size(); ++j)
    for (int& t : layers[j].inputs) t = t == gone ? src : (t > gone ? t - 1 : t);
  layers.erase(layers.begin() + static_cast<std::ptrdiff_t>(i));
}

}  // namespace keymac
