// A network as keymac runs it: a chain of layers over one input, with the
// float parameters the importer read. GEMM-like layers (Gemm, Conv) keep their
// weights as the K x N matrix the array sees (ARCHITECTURE.md section 6):
// Gemm: K = in features, N = out features; Conv: K = Cin*kh*kw, N = Cout.
// Contract: a Graph from import_onnx() has been shape-checked: every layer's
// in_shape equals the previous layer's out_shape (per sample, batch excluded).
#pragma once
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

enum class LayerKind { kGemm, kConv, kRelu, kMaxPool, kAvgPool, kReshape };
const char* layer_kind_name(LayerKind k);

struct Window2d {  // kernel / stride / padding of a conv or pool (NCHW)
  int kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  int out_h(int h) const { return (h + pt + pb - kh) / sh + 1; }
  int out_w(int w) const { return (w + pl + pr - kw) / sw + 1; }
};

struct Layer {
  LayerKind kind = LayerKind::kRelu;
  std::string name;       // ONNX node name (or op + index)
  Shape in_shape, out_shape;
  // Gemm / Conv
  int64_t k = 0, n = 0;
  std::vector<float> weight;  // K x N row-major
  std::vector<float> bias;    // N (zeros if the model has none)
  // Conv / pools
  Window2d win;
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
  Shape input_shape;           // per sample: {784} or {1,28,28}
  std::vector<Layer> layers;
  int64_t num_outputs() const { return numel(layers.empty() ? input_shape : layers.back().out_shape); }
};

}  // namespace keymac
