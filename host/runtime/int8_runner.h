// Runs a QuantModel on one ArrayBackend: quantize the input, stream every
// Gemm/Conv (im2col-lowered) and every activation x activation MatMul through
// the backend, then bias, requantization, ReLU, joins and the host operators
// on the host, in the model's topological order (int8 scheme:
// ARCHITECTURE.md section 12).
// Contract: run() returns batch x num_outputs real-valued scores (int32
// accumulators times their scale for an int32 output layer, else int8 values
// times the output scale) and appends one LayerRun per array layer to `stats`
// if given; `observe` (if set) sees each Gemm/Conv's raw int32 array output
// before bias (for cross-backend checks). Host operators compute in float on
// dequantized values with the same code for every backend, so the result is
// bit-identical across backends. An activation x activation MatMul cannot be
// locked by a static key: when the runner is given the key the array holds,
// it pre-flips the stationary activation's signs with that key's bits (layer
// index gemm_layers() + j for the j-th such MatMul), so the product is exact.
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
  // `key`: the key the backend was reset with (nullptr: plain array); needed
  // only by activation x activation MatMuls.
  Int8Runner(const QuantModel& model, ArrayBackend& backend, const KeySource* key = nullptr);
  // `pixels`: batch x numel(input_shape) raw 0..255 pixels, preprocessed by the model's Preprocess.
  std::vector<float> run(const uint8_t* pixels, int64_t batch, std::vector<LayerRun>* stats = nullptr,
                         const Observer& observe = nullptr);
  // `input`: batch x numel(input_shape) preprocessed float values (any dataset).
  std::vector<float> run_input(const float* input, int64_t batch, std::vector<LayerRun>* stats = nullptr,
                               const Observer& observe = nullptr);

 private:
  std::vector<float> run_int8(int64_t batch, std::vector<LayerRun>* stats, const Observer& observe);
  // Bias, ReLU and requantization of an array layer's M x N accumulators into
  // dst, rows (b, p) of `pixels` per sample written channel-major (NCHW).
  void finish_gemm(const QuantLayer& l, int64_t m, int64_t pixels, int8_t* dst);

  const QuantModel& model_;
  ArrayBackend& backend_;
  const KeySource* key_;
  std::array<int8_t, 256> pixel_lut_{};
  std::vector<std::vector<int8_t>> t_;   // tensor t at index t+1
  std::vector<int> last_reader_;         // per tensor (index t+1)
  std::vector<int8_t> cols_, wflip_;
  std::vector<int32_t> acc_;
  std::vector<Requant> col_requant_;     // finish_gemm: per column
  std::vector<int32_t> col_bias_;
  std::vector<float> fin_, fout_;
};

}  // namespace keymac
