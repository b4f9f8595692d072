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

QuantModel quantize(const Graph& g, const std::vector<float>& calib, int64_t calib_count,
                    const Preprocess& pre) {
  if (calib_count < 1) throw Error("quantization needs at least one calibration image");
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
  float cur_scale = q.input_scale;
  for (size_t li = 0; li < g.layers.size(); ++li) {
    const Layer& l = g.layers[li];
    QuantLayer ql;
    ql.kind = l.kind;
    ql.name = l.name;
    ql.in_shape = l.in_shape;
    ql.out_shape = l.out_shape;
    ql.win = l.win;
    if (l.is_gemm_like()) {
      const bool fuse = li + 1 < g.layers.size() && g.layers[li + 1].kind == LayerKind::kRelu;
      const size_t out_li = fuse ? li + 1 : li;
      ql.relu = fuse;
      ql.output_int32 = out_li + 1 == g.layers.size();
      ql.k = l.k;
      ql.n = l.n;
      ql.weight.resize(l.weight.size());
      ql.bias.resize(static_cast<size_t>(l.n));
      ql.acc_scale.resize(static_cast<size_t>(l.n));
      const float omax = absmax[out_li];
      ql.out_scale = omax > 0.0f ? omax / 127.0f : 1.0f;
      for (int64_t j = 0; j < l.n; ++j) {
        float wmax = 0.0f;
        for (int64_t kk = 0; kk < l.k; ++kk) wmax = std::max(wmax, std::fabs(l.weight[static_cast<size_t>(kk * l.n + j)]));
        const float sw = wmax > 0.0f ? wmax / 127.0f : 1.0f;
        for (int64_t kk = 0; kk < l.k; ++kk) {
          const size_t i = static_cast<size_t>(kk * l.n + j);
          long v = std::lround(l.weight[i] / sw);
          ql.weight[i] = static_cast<int8_t>(std::clamp<long>(v, -127, 127));
        }
        const double acc = static_cast<double>(cur_scale) * sw;
        ql.acc_scale[static_cast<size_t>(j)] = static_cast<float>(acc);
        const double b = std::nearbyint(l.bias[static_cast<size_t>(j)] / acc);
        ql.bias[static_cast<size_t>(j)] = static_cast<int32_t>(std::clamp<double>(
            b, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
        if (!ql.output_int32) ql.requant.push_back(make_requant(acc / ql.out_scale));
      }
      if (!ql.output_int32) cur_scale = ql.out_scale;
      q.layers.push_back(std::move(ql));
      if (fuse) ++li;  // the Relu is now part of this layer
      continue;
    }
    q.layers.push_back(std::move(ql));  // Relu, pools, reshape keep the scale
  }
  return q;
}

QuantModel quantize_on_training_set(const Graph& g, const std::string& data_dir, int64_t calib_count,
                                    const Preprocess& pre) {
  const ImageSet train = load_idx(data_dir, "train", calib_count);
  return quantize(g, preprocess_pixels(train.pixels.data(), train.pixels.size(), pre), train.count, pre);
}

}  // namespace keymac
