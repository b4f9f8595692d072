// The integer model keymac runs on the array: int8 weights in [-127, 127]
// (possibly locked), int32 biases, per-output-channel requantization by an
// integer multiplier and right shift. It holds no float weights, so a locked
// QuantModel carries nothing that reveals the unlocked signs.
// Contract: layers form the same DAG as the Graph they came from (inputs as in
// graph.h), with each Relu that is the only reader of a Gemm/Conv fused into
// it (relu = true). Every layer's output is an int8 tensor with one real
// scale (out_scale); the int8 scheme across joins and host operators is
// ARCHITECTURE.md section 12.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/model/graph.h"
#include "sim/core/geometry.h"

namespace keymac {

struct Requant {
  int32_t multiplier = 0;  // Q31 mantissa in [2^30, 2^31)
  int32_t shift = 31;      // total right shift applied to acc * multiplier, 1..62
};

// real scale -> (multiplier, shift) with scale ~= multiplier * 2^-shift.
Requant make_requant(double scale);
// round(acc * multiplier * 2^-shift) (round half up), saturated to [lo, hi].
inline int32_t apply_requant(int32_t acc, const Requant& r, int32_t lo, int32_t hi) {
  const int64_t p = static_cast<int64_t>(acc) * r.multiplier;
  const int64_t v = (p + (int64_t(1) << (r.shift - 1))) >> r.shift;
  return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

// Joins (Add of two tensors, Concat) rescale each input to the output scale
// with an integer multiplier in Q(kJoinShift): q_out = round(sum q_i * m_i / 2^kJoinShift).
constexpr int kJoinShift = 16;

struct QuantLayer {
  LayerKind kind = LayerKind::kRelu;
  std::string name;
  std::vector<int> inputs;         // as Layer::inputs (empty: previous layer)
  Shape in_shape, out_shape;
  Window2d win;
  int64_t groups = 1;              // Conv groups (weights block-diagonal)
  OpParams p;                      // host operators' float parameters (never locked)
  std::vector<int32_t> join_mult;  // Add/Concat of tensors: per input, Q(kJoinShift) multiplier
  // Gemm / Conv
  int64_t k = 0, n = 0;
  std::vector<int8_t> weight;      // K x N, row-major
  std::vector<int32_t> bias;       // N, in accumulator units
  bool relu = false;               // fused ReLU: clamp at 0
  bool output_int32 = false;       // last layer: int32 accumulators are the scores
  std::vector<Requant> requant;    // N (when !output_int32)
  std::vector<float> acc_scale;    // N: real value of one accumulator unit
  float out_scale = 1.0f;          // real value of one int8 output unit (every layer)
  bool is_gemm_like() const { return kind == LayerKind::kGemm || kind == LayerKind::kConv; }
};

struct QuantModel {
  std::string source;              // model it was quantized from
  Shape input_shape;
  Preprocess preprocess;
  float input_scale = 1.0f / 127;  // real value of one int8 input unit
  std::vector<QuantLayer> layers;
  int64_t num_outputs = 0;
  // Locking state: a locked model is tied to one geometry.
  bool locked = false;
  Geometry lock_geometry;
  // Key mode of the lock and, for an expanded key, the public nonce from which
  // the per-layer IVs derive (ARCHITECTURE.md section 11). Never the key.
  std::string key_mode = "periodic";
  uint64_t key_nonce = 0;
  // Issue 12 (h12b): the preprocessing of a `lock --dataset` model, (v * dataset_scale - mean[c]) / std[c]
  // per channel (docs/DATASETS.md); empty: Fashion-MNIST pixels through `preprocess`.
  double dataset_scale = 0.0;
  std::vector<double> dataset_mean, dataset_std;

  int64_t gemm_layers() const;
  // Scale of tensor t (kGraphInput: the input) and the inputs of layer i.
  float tensor_scale(int t) const { return t == kGraphInput ? input_scale : layers[static_cast<size_t>(t)].out_scale; }
  // True for the layer chains of the original runtime (the six first kinds,
  // no dilation/upsampling/groups): what torch_net and onnx_export translate.
  bool is_plain_chain() const {
    for (const auto& l : layers)
      if (!l.inputs.empty() || static_cast<int>(l.kind) > static_cast<int>(LayerKind::kReshape) || !l.win.is_plain() ||
          l.groups != 1)
        return false;
    return true;
  }
  std::vector<int> inputs_of(size_t i) const {
    return layers[i].inputs.empty() ? std::vector<int>{static_cast<int>(i) - 1} : layers[i].inputs;
  }
  int64_t weight_count() const;
};

}  // namespace keymac
