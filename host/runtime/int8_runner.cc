#include "host/runtime/int8_runner.h"

#include <algorithm>
#include <cmath>

#include "host/model/ops.h"
#include "sim/core/error.h"

namespace keymac {

Int8Runner::Int8Runner(const QuantModel& model, ArrayBackend& backend) : model_(model), backend_(backend) {
  for (int p = 0; p < 256; ++p) {
    const long q = std::lround(model.preprocess(static_cast<uint8_t>(p)) / model.input_scale);
    pixel_lut_[static_cast<size_t>(p)] = static_cast<int8_t>(std::clamp<long>(q, -128, 127));
  }
}

std::vector<float> Int8Runner::run(const uint8_t* pixels, int64_t batch, std::vector<LayerRun>* stats,
                                   const Observer& observe) {
  const int64_t in_n = numel(model_.input_shape);
  a_.resize(static_cast<size_t>(batch * in_n));
  for (int64_t i = 0; i < batch * in_n; ++i) a_[static_cast<size_t>(i)] = pixel_lut_[pixels[i]];
  std::vector<float> scores;
  int64_t gemm_index = 0;  // the expanded key's layer index (ARCHITECTURE.md section 11)
  for (size_t li = 0; li < model_.layers.size(); ++li) {
    const QuantLayer& l = model_.layers[li];
    const int64_t out_n = numel(l.out_shape);
    const bool last = li + 1 == model_.layers.size();
    b_.assign(static_cast<size_t>(batch * out_n), 0);
    switch (l.kind) {
      case LayerKind::kGemm:
      case LayerKind::kConv: {
        const bool conv = l.kind == LayerKind::kConv;
        const int64_t pixels_out = conv ? l.out_shape[1] * l.out_shape[2] : 1;
        const int8_t* x = a_.data();
        if (conv) {
          im2col(a_.data(), batch, l.in_shape, l.win, cols_);
          x = cols_.data();
        }
        GemmJob job{l.name, GemmShape{batch * pixels_out, l.k, l.n}, x, l.weight.data(), gemm_index++};
        acc_.resize(static_cast<size_t>(job.shape.m * l.n));
        LayerStats st = backend_.run_gemm(job, acc_.data());
        if (observe) observe(li, acc_.data(), static_cast<int64_t>(acc_.size()));
        if (stats) stats->push_back(LayerRun{l.name, job.shape, st});
        // Bias (wrap-around like the accumulator), then requantize or emit scores.
        for (int64_t m = 0; m < job.shape.m; ++m) {
          int32_t* row = acc_.data() + m * l.n;
          for (int64_t j = 0; j < l.n; ++j) {
            row[j] = static_cast<int32_t>(static_cast<uint32_t>(row[j]) + static_cast<uint32_t>(l.bias[static_cast<size_t>(j)]));
            if (l.relu && row[j] < 0) row[j] = 0;
          }
        }
        if (l.output_int32) {
          if (!last) throw Error("model: int32 output on a layer that is not the last");
          std::vector<float> rows(acc_.size());
          for (int64_t m = 0; m < job.shape.m; ++m)
            for (int64_t j = 0; j < l.n; ++j)
              rows[static_cast<size_t>(m * l.n + j)] = static_cast<float>(acc_[static_cast<size_t>(m * l.n + j)]) * l.acc_scale[static_cast<size_t>(j)];
          scores.resize(rows.size());
          rows_to_nchw(rows.data(), batch, l.n, pixels_out, scores.data());
          return scores;
        }
        std::vector<int8_t>& dst = conv ? cols_ : b_;
        if (conv) cols_.resize(acc_.size());
        const int32_t lo = l.relu ? 0 : -128;
        for (int64_t m = 0; m < job.shape.m; ++m)
          for (int64_t j = 0; j < l.n; ++j) {
            const size_t i = static_cast<size_t>(m * l.n + j);
            dst[i] = static_cast<int8_t>(apply_requant(acc_[i], l.requant[static_cast<size_t>(j)], lo, 127));
          }
        if (conv) rows_to_nchw(cols_.data(), batch, l.n, pixels_out, b_.data());
        break;
      }
      case LayerKind::kRelu:
        for (size_t i = 0; i < b_.size(); ++i) b_[i] = a_[i] > 0 ? a_[i] : 0;
        break;
      case LayerKind::kMaxPool:
        max_pool(a_.data(), batch, l.in_shape, l.win, b_.data());
        break;
      case LayerKind::kAvgPool:
        avg_pool<int8_t, int32_t>(a_.data(), batch, l.in_shape, l.win, b_.data(), [](int32_t s, int c) {
          return static_cast<int8_t>(std::clamp<long>(std::lround(static_cast<double>(s) / c), -128, 127));
        });
        break;
      case LayerKind::kReshape:
        b_ = a_;
        break;
    }
    a_.swap(b_);
  }
  // The chain ended on a non-Gemm layer: its int8 outputs are the scores.
  const float s = model_.layers.empty() ? 1.0f : [&] {
    for (auto it = model_.layers.rbegin(); it != model_.layers.rend(); ++it)
      if (it->is_gemm_like()) return it->out_scale;
    return 1.0f;
  }();
  scores.resize(a_.size());
  for (size_t i = 0; i < a_.size(); ++i) scores[i] = static_cast<float>(a_[i]) * s;
  return scores;
}

}  // namespace keymac
