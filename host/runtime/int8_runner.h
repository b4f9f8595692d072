// Runs a QuantModel on one ArrayBackend: preprocess and quantize the input
// pixels, stream every Gemm/Conv (im2col-lowered) through the backend, then
// bias, requantization, ReLU and pooling on the host.
// Contract: run() returns batch x num_outputs real-valued scores (int32
// accumulators times their scale for an int32 output layer) and appends one
// LayerStats per Gemm/Conv to `stats` if given; `observe` (if set) sees each
// Gemm/Conv's raw int32 array output before bias (for cross-backend checks).
#pragma once
#include <array>
#include <functional>
#include <vector>

#include "host/backend/array_backend.h"
#include "host/quant/quant_model.h"

namespace keymac {

struct LayerRun {
  std::string name;
  GemmShape shape;
  LayerStats stats;
};

class Int8Runner {
 public:
  using Observer = std::function<void(size_t layer, const int32_t* y, int64_t count)>;
  Int8Runner(const QuantModel& model, ArrayBackend& backend);
  std::vector<float> run(const uint8_t* pixels, int64_t batch, std::vector<LayerRun>* stats = nullptr,
                         const Observer& observe = nullptr);

 private:
  const QuantModel& model_;
  ArrayBackend& backend_;
  std::array<int8_t, 256> pixel_lut_{};
  std::vector<int8_t> a_, b_, cols_;
  std::vector<int32_t> acc_;
};

}  // namespace keymac
