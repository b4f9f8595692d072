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
  }
  return "?";
}

}  // namespace keymac
