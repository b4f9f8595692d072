#include "host/quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/data/idx_dataset.h"
#include "host/model/float_executor.h"
#include "sim/core/error.h"

namespace keymac {

Requant make_requant(double scale) {
  Requant r;
  if (!(scale > 0.0) || !std::isfinite(scale)) throw Error("requantization scale " + std::to_string(scale) + " is not positive");
  int exp = 0;
  const double mant = std::frexp(scale, &exp);  // scale = mant * 2^exp, mant in [0.5, 1)
  int64_t m = std::llround(mant * static_cast<double>(int64_t(1) << 31));
  if (m == (int64_t(1) << 31)) { m /= 2; ++exp; }
  int shift = 31 - exp;
  while (shift > 62) { m >>= 1; --shift; }   // vanishing scale: precision beyond 2^-62 is 0 anyway
  if (shift < 1) throw Error("requantization scale " + std::to_string(scale) + " is too large");
  r.multiplier = static_cast<int32_t>(m);
  r.shift = shift;
  return r;
}

int64_t QuantModel::gemm_layers() const {
  int64_t n = 0;
  for (const auto& l : layers) n += l.is_gemm_like();
  return n;
}

int64_t QuantModel::weight_count() const {
  int64_t n = 0;
  for (const auto& l : layers) n += static_cast<int64_t>(l.weight.size());
  return n;
}

namespace {

// Kinds whose int8 output reuses the input's scale (pure int8 data movement).
bool keeps_scale(LayerKind k) {
  return k == LayerKind::kRelu || k == LayerKind::kMaxPool || k == LayerKind::kAvgPool || k == LayerKind::kReshape ||
         k == LayerKind::kTranspose || k == LayerKind::kSlice;
}

float scale_of(float absmax) { return absmax > 0.0f ? absmax / 127.0f : 1.0f; }

// Per-output-channel symmetric int8 weights and int32 bias for input scale `in_scale`.
void quantize_weights(const Layer& l, float in_scale, QuantLayer& ql) {
  ql.k = l.k;
  ql.n = l.n;
  ql.weight.resize(l.weight.size());
  ql.bias.resize(static_cast<size_t>(l.n));
  ql.acc_scale.resize(static_cast<size_t>(l.n));
  for (int64_t j = 0; j < l.n; ++j) {
    float wmax = 0.0f;
    for (int64_t kk = 0; kk < l.k; ++kk) wmax = std::max(wmax, std::fabs(l.weight[static_cast<size_t>(kk * l.n + j)]));
    const float sw = wmax > 0.0f ? wmax / 127.0f : 1.0f;
    for (int64_t kk = 0; kk < l.k; ++kk) {
      const size_t i = static_cast<size_t>(kk * l.n + j);
      long v = std::lround(l.weight[i] / sw);
      ql.weight[i] = static_cast<int8_t>(std::clamp<long>(v, -127, 127));
    }
    const double acc = static_cast<double>(in_scale) * sw;
    ql.acc_scale[static_cast<size_t>(j)] = static_cast<float>(acc);
    const double b = std::nearbyint(l.bias[static_cast<size_t>(j)] / acc);
    ql.bias[static_cast<size_t>(j)] = static_cast<int32_t>(std::clamp<double>(
        b, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
    if (!ql.output_int32) ql.requant.push_back(make_requant(acc / ql.out_scale));
  }
}

}  // namespace

QuantModel quantize(const Graph& g, const std::vector<float>& calib, int64_t calib_count,
                    const Preprocess& pre) {
  if (calib_count < 1) throw Error("quantization needs at least one calibration image");
  bool any = false;
  for (const auto& l : g.layers) any |= is_array_kind(l.kind);
  if (!any) throw Error(g.source + ": model has no Gemm, MatMul or Conv layer to map onto the array");
  // Calibrate: max |x| of the input and of every layer's output.
  std::vector<float> absmax(g.layers.size(), 0.0f), part;
  float in_max = 0.0f;
  for (float v : calib) in_max = std::max(in_max, std::fabs(v));
  const int64_t per = numel(g.input_shape), chunk = 256;
  for (int64_t s = 0; s < calib_count; s += chunk) {
    const int64_t b = std::min(chunk, calib_count - s);
    run_float_observed(g, calib.data() + s * per, b, part);
    for (size_t i = 0; i < absmax.size(); ++i) absmax[i] = std::max(absmax[i], part[i]);
  }

  QuantModel q;
  q.source = g.source;
  q.input_shape = g.input_shape;
  q.preprocess = pre;
  q.input_scale = in_max > 0.0f ? in_max / 127.0f : 1.0f / 127.0f;
  q.num_outputs = g.num_outputs();
  const auto consumers = g.consumer_counts();
  const size_t last = g.layers.size() - 1;
  std::vector<size_t> fused;  // Relu layers folded into their Gemm/Conv
  for (size_t li = 0; li < g.layers.size(); ++li) {
    const Layer& l = g.layers[li];
    const auto ins = g.inputs_of(li);
    QuantLayer ql;
    ql.kind = l.kind;
    ql.name = l.name;
    ql.inputs = ins;
    ql.in_shape = l.in_shape;
    ql.out_shape = l.out_shape;
    ql.win = l.win;
    ql.groups = l.groups;
    ql.p = l.p;
    const float in_scale = q.tensor_scale(ins[0]);
    if (l.is_gemm_like()) {
      // A Relu that is the only reader of this output is fused (clamp at 0).
      size_t out_li = li;
      if (li < last && consumers[li + 1] == 1) {
        for (size_t c = li + 1; c < g.layers.size(); ++c) {
          const auto cin = g.inputs_of(c);
          if (std::find(cin.begin(), cin.end(), static_cast<int>(li)) == cin.end()) continue;
          if (g.layers[c].kind == LayerKind::kRelu) out_li = c;
          break;
        }
      }
      ql.relu = out_li != li;
      ql.output_int32 = out_li == last;
      ql.out_scale = scale_of(absmax[out_li]);
      quantize_weights(l, in_scale, ql);
      if (ql.relu) fused.push_back(out_li);
    } else if (l.kind == LayerKind::kMatMulAct) {
      const double acc = static_cast<double>(in_scale) * q.tensor_scale(ins[1]);
      ql.k = l.k;
      ql.n = l.n;
      ql.output_int32 = li == last;
      ql.out_scale = scale_of(absmax[li]);
      ql.acc_scale = {static_cast<float>(acc)};
      if (!ql.output_int32) ql.requant = {make_requant(acc / ql.out_scale)};
    } else if (std::find(fused.begin(), fused.end(), li) != fused.end()) {
      ql.out_scale = in_scale;  // removed below; its readers read the Gemm/Conv
    } else if (keeps_scale(l.kind)) {
      ql.out_scale = in_scale;
    } else {
      ql.out_scale = scale_of(absmax[li]);
      if ((l.kind == LayerKind::kAdd && ins.size() == 2) || l.kind == LayerKind::kConcat)
        for (int t : ins) {
          const double m = std::nearbyint(static_cast<double>(q.tensor_scale(t)) / ql.out_scale * (1 << kJoinShift));
          ql.join_mult.push_back(static_cast<int32_t>(std::min<double>(m, std::numeric_limits<int32_t>::max())));
        }
    }
    q.layers.push_back(std::move(ql));
  }
  std::sort(fused.begin(), fused.end());
  for (auto it = fused.rbegin(); it != fused.rend(); ++it) bypass_layer(q.layers, *it);
  // A chain keeps the implicit form (packages and chain-only consumers as before).
  bool chain = true;
  for (size_t i = 0; i < q.layers.size(); ++i)
    chain &= q.inputs_of(i) == std::vector<int>{static_cast<int>(i) - 1};
  if (chain)
    for (auto& l : q.layers) l.inputs.clear();
  return q;
}

QuantModel quantize_on_training_set(const Graph& g, const std::string& data_dir, int64_t calib_count,
                                    const Preprocess& pre) {
  const ImageSet train = load_idx(data_dir, "train", calib_count);
  return quantize(g, preprocess_pixels(train.pixels.data(), train.pixels.size(), pre), train.count, pre);
}

}  // namespace keymac
