#include "host/model/float_executor.h"

#include <cmath>

#include "host/model/ops.h"

namespace keymac {

namespace {

void gemm_f32(const float* x, const float* w, const float* bias, int64_t m, int64_t k, int64_t n, float* y) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = y + i * n;
    for (int64_t j = 0; j < n; ++j) row[j] = bias[j];
    for (int64_t kk = 0; kk < k; ++kk) {
      const float a = x[i * k + kk];
      if (a == 0.0f) continue;
      const float* wr = w + kk * n;
      for (int64_t j = 0; j < n; ++j) row[j] += a * wr[j];
    }
  }
}

}  // namespace

std::vector<float> run_float_observed(const Graph& g, const float* input, int64_t batch,
                                      std::vector<float>& layer_absmax) {
  std::vector<float> cur(input, input + batch * numel(g.input_shape)), next, cols, rows;
  layer_absmax.assign(g.layers.size(), 0.0f);
  for (size_t li = 0; li < g.layers.size(); ++li) {
    const Layer& l = g.layers[li];
    next.assign(static_cast<size_t>(batch * numel(l.out_shape)), 0.0f);
    switch (l.kind) {
      case LayerKind::kGemm:
        gemm_f32(cur.data(), l.weight.data(), l.bias.data(), batch, l.k, l.n, next.data());
        break;
      case LayerKind::kConv: {
        im2col(cur.data(), batch, l.in_shape, l.win, cols);
        const int64_t pixels = l.out_shape[1] * l.out_shape[2];
        rows.assign(static_cast<size_t>(batch * pixels * l.n), 0.0f);
        gemm_f32(cols.data(), l.weight.data(), l.bias.data(), batch * pixels, l.k, l.n, rows.data());
        rows_to_nchw(rows.data(), batch, l.n, pixels, next.data());
        break;
      }
      case LayerKind::kRelu:
        for (size_t i = 0; i < cur.size(); ++i) next[i] = cur[i] > 0.0f ? cur[i] : 0.0f;
        break;
      case LayerKind::kMaxPool:
        max_pool(cur.data(), batch, l.in_shape, l.win, next.data());
        break;
      case LayerKind::kAvgPool:
        avg_pool<float, float>(cur.data(), batch, l.in_shape, l.win, next.data(),
                               [](float s, int c) { return s / static_cast<float>(c); });
        break;
      case LayerKind::kReshape:
        next = cur;
        break;
    }
    float m = 0.0f;
    for (float v : next) m = std::max(m, std::fabs(v));
    layer_absmax[li] = m;
    cur.swap(next);
  }
  return cur;
}

std::vector<float> run_float(const Graph& g, const float* input, int64_t batch) {
  std::vector<float> unused;
  return run_float_observed(g, input, batch, unused);
}

}  // namespace keymac
