#include "host/model/float_executor.h"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "host/model/host_ops.h"
#include "host/model/ops.h"
#include "sim/core/error.h"

namespace keymac {

// One output row at a time, y[i][j] = bias[j] + sum_k x[i][k] * w[k][j] added
// in increasing k (zero activations skipped), each product rounded then added
// (never fused): the same bits for any row length. N > 0 fixes the row length
// at compile time so the row stays in registers; N = 0 takes it from n.
template <int N>
#if defined(__GNUC__)
__attribute__((always_inline)) inline
#endif
void gemm_f32_rows(const float* x, const float* w, const float* bias, int64_t m, int64_t k, int64_t n, float* y) {
  const int64_t len = N > 0 ? N : n;
  for (int64_t i = 0; i < m; ++i) {
    float local[N > 0 ? N : 1];
    float* row = N > 0 ? local : y + i * n;
    for (int64_t j = 0; j < len; ++j) row[j] = bias ? bias[j] : 0.0f;
    for (int64_t kk = 0; kk < k; ++kk) {
      const float a = x[i * k + kk];
      if (a == 0.0f) continue;
      const float* wr = w + kk * len;
      for (int64_t j = 0; j < len; ++j) row[j] += a * wr[j];
    }
    if (N > 0) std::copy(local, local + len, y + i * n);
  }
}

// AVX2 clone: 8 floats per register. AVX2 alone does not enable FMA, so the
// products are still rounded before they are added (bit-identical clones).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void gemm_f32_any(const float* x, const float* w, const float* bias, int64_t m, int64_t k, int64_t n, float* y) {
  switch (n) {  // the channel counts of small CNNs
    case 8: return gemm_f32_rows<8>(x, w, bias, m, k, n, y);
    case 16: return gemm_f32_rows<16>(x, w, bias, m, k, n, y);
    case 32: return gemm_f32_rows<32>(x, w, bias, m, k, n, y);
    default: return gemm_f32_rows<0>(x, w, bias, m, k, n, y);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
// Four rows of N = 8 * P columns at a time (four independent dependency
// chains instead of one). Per row and k: sum = acc + a * w, product rounded
// then added (explicit mul and add; no FMA in an AVX2-only target), kept only
// where a != 0 (a blend, as gemm_f32_rows skips zero activations), so each
// element sees the same operations in the same order: the same bits.
template <int P>
__attribute__((target("avx2"))) void gemm_f32_rows4(const float* x, const float* w, const float* bias, int64_t k,
                                                   float* y) {
  constexpr int64_t n = 8 * P;
  __m256 acc[4][P];
  for (int q = 0; q < P; ++q) {
    const __m256 b = bias ? _mm256_loadu_ps(bias + 8 * q) : _mm256_setzero_ps();
    for (int r = 0; r < 4; ++r) acc[r][q] = b;
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    __m256 wv[P];
    for (int q = 0; q < P; ++q) wv[q] = _mm256_loadu_ps(w + kk * n + 8 * q);
    for (int r = 0; r < 4; ++r) {
      const __m256 a = _mm256_set1_ps(x[r * k + kk]);
      const __m256 skip = _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_EQ_OQ);  // a == 0 (or -0); NaN adds
      for (int q = 0; q < P; ++q)
        acc[r][q] = _mm256_blendv_ps(_mm256_add_ps(acc[r][q], _mm256_mul_ps(a, wv[q])), acc[r][q], skip);
    }
  }
  for (int r = 0; r < 4; ++r)
    for (int q = 0; q < P; ++q) _mm256_storeu_ps(y + r * n + 8 * q, acc[r][q]);
}
#endif

void gemm_f32(const float* x, const float* w, const float* bias, int64_t m, int64_t k, int64_t n, float* y) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2 && (n == 8 || n == 16)) {
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      if (n == 8) gemm_f32_rows4<1>(x + i * k, w, bias, k, y + i * n);
      else gemm_f32_rows4<2>(x + i * k, w, bias, k, y + i * n);
    }
    return gemm_f32_any(x + i * k, w, bias, m - i, k, n, y + i * n);
  }
#endif
  gemm_f32_any(x, w, bias, m, k, n, y);
}

std::vector<int> last_readers(const Graph& g) {
  std::vector<int> last(g.layers.size() + 1, -1);  // index t+1 for tensor t
  for (size_t i = 0; i < g.layers.size(); ++i)
    for (int t : g.inputs_of(i)) last[static_cast<size_t>(t + 1)] = static_cast<int>(i);
  return last;
}

std::vector<float> run_float_observed(const Graph& g, const float* input, int64_t batch,
                                      std::vector<float>& layer_absmax) {
  const size_t nl = g.layers.size();
  std::vector<std::vector<float>> t(nl + 1);  // tensor t at index t+1
  t[0].assign(input, input + batch * numel(g.input_shape));
  const auto last = last_readers(g);
  std::vector<float> cols, rows;
  layer_absmax.assign(nl, 0.0f);
  for (size_t li = 0; li < nl; ++li) {
    const Layer& l = g.layers[li];
    const auto ins = g.inputs_of(li);
    const std::vector<float>& x = t[static_cast<size_t>(ins[0] + 1)];
    std::vector<float>& y = t[li + 1];
    y.assign(static_cast<size_t>(batch * numel(l.out_shape)), 0.0f);
    switch (l.kind) {
      case LayerKind::kGemm:
        gemm_f32(x.data(), l.weight.data(), l.bias.data(), batch * numel(l.in_shape) / l.k, l.k, l.n, y.data());
        break;
      case LayerKind::kConv: {
        im2col(x.data(), batch, l.in_shape, l.win, cols);
        const int64_t pixels = l.out_shape[1] * l.out_shape[2];
        rows.assign(static_cast<size_t>(batch * pixels * l.n), 0.0f);
        gemm_f32(cols.data(), l.weight.data(), l.bias.data(), batch * pixels, l.k, l.n, rows.data());
        rows_to_nchw(rows.data(), batch, l.n, pixels, y.data());
        break;
      }
      case LayerKind::kMatMulAct: {
        // [.., M, K] x [.., K, N] per sample, same leading dims.
        const Shape& sb = g.tensor_shape(ins[1]);
        const int64_t m = l.in_shape[l.in_shape.size() - 2], k = l.in_shape.back(), n = sb.back();
        const int64_t mats = batch * numel(l.in_shape) / (m * k);
        const std::vector<float>& w = t[static_cast<size_t>(ins[1] + 1)];
        for (int64_t i = 0; i < mats; ++i)
          gemm_f32(x.data() + i * m * k, w.data() + i * k * n, nullptr, m, k, n, y.data() + i * m * n);
        break;
      }
      default: {
        std::vector<const float*> in_ptrs;
        std::vector<Shape> in_shapes;
        for (int ti : ins) {
          in_ptrs.push_back(t[static_cast<size_t>(ti + 1)].data());
          in_shapes.push_back(g.tensor_shape(ti));
        }
        run_host_op(l.kind, l.win, l.p, in_ptrs, in_shapes, l.out_shape, batch, y.data());
      }
    }
    float m = 0.0f;
    for (float v : y) m = std::max(m, std::fabs(v));
    layer_absmax[li] = m;
    for (int ti : ins)
      if (last[static_cast<size_t>(ti + 1)] == static_cast<int>(li) && ti + 1 != static_cast<int>(nl))
        std::vector<float>().swap(t[static_cast<size_t>(ti + 1)]);
  }
  return nl ? t[nl] : t[0];
}

std::vector<float> run_float(const Graph& g, const float* input, int64_t batch) {
  std::vector<float> unused;
  return run_float_observed(g, input, batch, unused);
}

std::vector<float> run_float(const Graph& g, const std::vector<float>& in, const Shape& in_shape) {
  if (in_shape.empty()) throw Error("input shape is empty (it needs the batch dimension first)");
  const Shape per(in_shape.begin() + 1, in_shape.end());
  if (per != g.input_shape)
    throw Error("input of per-sample shape " + shape_str(per) + " does not match the model's " + shape_str(g.input_shape));
  if (numel(in_shape) < 0 || static_cast<int64_t>(in.size()) != numel(in_shape))
    throw Error("input holds " + std::to_string(in.size()) + " values, shape " + shape_str(in_shape) + " needs " +
                std::to_string(numel(in_shape)));
  return run_float(g, in.data(), in_shape[0]);
}

}  // namespace keymac
