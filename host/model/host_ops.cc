#include "host/model/host_ops.h"

#include <algorithm>
#include <cmath>

#include "host/model/ops.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

// Strides of `s` right-aligned to `out` (0 where `s` broadcasts).
std::vector<int64_t> broadcast_strides(const Shape& s, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  const auto own = strides_of(s);
  const size_t off = out.size() - s.size();
  for (size_t d = 0; d < s.size(); ++d) st[off + d] = s[d] == 1 ? 0 : own[d];
  return st;
}

// Calls f(out_index, a_index, b_index) over every element of `out`.
template <typename F>
void for_each_broadcast(const Shape& out, const std::vector<int64_t>& sa, const std::vector<int64_t>& sb, F f) {
  const int64_t total = numel(out);
  std::vector<int64_t> idx(out.size(), 0);
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < total; ++o) {
    f(o, ia, ib);
    for (size_t d = out.size(); d-- > 0;) {
      ia += sa[d];
      ib += sb[d];
      if (++idx[d] < out[d]) break;
      ia -= sa[d] * out[d];
      ib -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
}

float binary(LayerKind k, float a, float b) {
  switch (k) {
    case LayerKind::kAdd: return a + b;
    case LayerKind::kSub: return a - b;
    case LayerKind::kMul: return a * b;
    case LayerKind::kDiv: return a / b;
    case LayerKind::kPow: return b == 2.0f ? a * a : std::pow(a, b);
    case LayerKind::kPRelu: return a < 0.0f ? a * b : a;
    default: return 0.0f;
  }
}

float unary(LayerKind k, const OpParams& p, float x) {
  switch (k) {
    case LayerKind::kRelu: return x > 0.0f ? x : 0.0f;
    case LayerKind::kSqrt: return std::sqrt(x);
    case LayerKind::kErf: return std::erf(x);
    case LayerKind::kExp: return std::exp(x);
    case LayerKind::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case LayerKind::kTanh: return std::tanh(x);
    case LayerKind::kLeakyRelu: return x >= 0.0f ? x : p.alpha * x;
    case LayerKind::kHardSigmoid: return std::max(0.0f, std::min(1.0f, p.alpha * x + p.beta));
    case LayerKind::kHardSwish: return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
    case LayerKind::kClip: return std::min(std::max(x, p.alpha), p.beta);
    case LayerKind::kAbs: return std::fabs(x);
    case LayerKind::kNeg: return -x;
    case LayerKind::kFloor: return std::floor(x);
    case LayerKind::kCeil: return std::ceil(x);
    case LayerKind::kRound: return std::nearbyint(x);  // ONNX: halves to even (the default rounding mode)
    case LayerKind::kLog: return std::log(x);
    case LayerKind::kReciprocal: return 1.0f / x;
    case LayerKind::kSign: return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
    case LayerKind::kSoftplus: return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    case LayerKind::kSoftsign: return x / (1.0f + std::fabs(x));
    case LayerKind::kElu: return x < 0.0f ? p.alpha * (std::exp(x) - 1.0f) : x;
    case LayerKind::kSelu: return x <= 0.0f ? p.beta * (p.alpha * std::exp(x) - p.alpha) : p.beta * x;
    case LayerKind::kCelu: return std::max(0.0f, x) + std::min(0.0f, p.alpha * (std::exp(x / p.alpha) - 1.0f));
    case LayerKind::kThresholdedRelu: return x > p.alpha ? x : 0.0f;
    case LayerKind::kShrink: return x < -p.alpha ? x + p.beta : (x > p.alpha ? x - p.beta : 0.0f);
    case LayerKind::kSin: return std::sin(x);
    case LayerKind::kCos: return std::cos(x);
    case LayerKind::kTan: return std::tan(x);
    case LayerKind::kAsin: return std::asin(x);
    case LayerKind::kAcos: return std::acos(x);
    case LayerKind::kAtan: return std::atan(x);
    case LayerKind::kSinh: return std::sinh(x);
    case LayerKind::kCosh: return std::cosh(x);
    case LayerKind::kAsinh: return std::asinh(x);
    case LayerKind::kAcosh: return std::acosh(x);
    case LayerKind::kAtanh: return std::atanh(x);
    default: return 0.0f;
  }
}

// Splits a shape at `axis` into outer x dim x inner.
void split_at(const Shape& s, int64_t axis, int64_t& outer, int64_t& dim, int64_t& inner) {
  outer = 1;
  inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
  dim = s[static_cast<size_t>(axis)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
}

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b, bool& ok) {
  ok = true;
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t d = 0; d < out.size(); ++d) {
    const int64_t da = d + a.size() >= out.size() ? a[d + a.size() - out.size()] : 1;
    const int64_t db = d + b.size() >= out.size() ? b[d + b.size() - out.size()] : 1;
    if (da != db && da != 1 && db != 1) ok = false;
    out[d] = std::max(da, db);
  }
  return out;
}

void run_host_op(LayerKind kind, const Window2d& win, const OpParams& p, const std::vector<const float*>& in,
                 const std::vector<Shape>& in_shapes, const Shape& out_shape, int64_t batch, float* out) {
  const Shape& s0 = in_shapes.at(0);
  const int64_t n0 = numel(s0), no = numel(out_shape);
  if (is_unary_kind(kind)) {
    for (int64_t i = 0; i < batch * n0; ++i) out[i] = unary(kind, p, in[0][i]);
    return;
  }
  switch (kind) {
    case LayerKind::kMaxPool:
      max_pool(in[0], batch, s0, win, out);
      return;
    case LayerKind::kAvgPool:
      avg_pool<float, float>(in[0], batch, s0, win, out, [](float s, int c) { return s / static_cast<float>(c); });
      return;
    case LayerKind::kReshape:
      std::copy(in[0], in[0] + batch * n0, out);
      return;
    case LayerKind::kAdd: case LayerKind::kSub: case LayerKind::kMul: case LayerKind::kDiv: case LayerKind::kPow:
    case LayerKind::kPRelu: {
      const bool two = in.size() == 2;
      const Shape& sb = two ? in_shapes[1] : p.const_shape;
      const bool swap = !two && p.const_first;
      const auto sta = broadcast_strides(s0, out_shape), stb = broadcast_strides(sb, out_shape);
      const int64_t nb = numel(sb);
      for (int64_t b = 0; b < batch; ++b) {
        const float* a = in[0] + b * n0;
        const float* c = two ? in[1] + b * nb : p.consts.data();
        float* o = out + b * no;
        for_each_broadcast(out_shape, sta, stb, [&](int64_t oi, int64_t ia, int64_t ib) {
          o[oi] = swap ? binary(kind, c[ib], a[ia]) : binary(kind, a[ia], c[ib]);
        });
      }
      return;
    }
    case LayerKind::kConcat: {
      const int64_t axis = p.axes.at(0);
      int64_t outer, dim, inner;
      split_at(out_shape, axis, outer, dim, inner);
      for (int64_t b = 0; b < batch; ++b) {
        int64_t off = 0;
        for (size_t t = 0; t < in.size(); ++t) {
          int64_t o2, d2, i2;
          split_at(in_shapes[t], axis, o2, d2, i2);
          const float* src = in[t] + b * numel(in_shapes[t]);
          for (int64_t o = 0; o < outer; ++o)
            std::copy(src + o * d2 * inner, src + (o + 1) * d2 * inner, out + b * no + (o * dim + off) * inner);
          off += d2;
        }
      }
      return;
    }
    case LayerKind::kScaleShift: {
      const int64_t c = s0[0], inner = n0 / c;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t i = 0; i < inner; ++i) {
            const int64_t at = (b * c + ch) * inner + i;
            out[at] = in[0][at] * p.consts[static_cast<size_t>(ch)] + p.consts2[static_cast<size_t>(ch)];
          }
      return;
    }
    case LayerKind::kSoftmax: {
      int64_t outer, dim, inner;
      split_at(s0, p.axes.at(0), outer, dim, inner);
      for (int64_t o = 0; o < batch * outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const float* x = in[0] + o * dim * inner + i;
          float* y = out + o * dim * inner + i;
          float m = x[0];
          for (int64_t d = 1; d < dim; ++d) m = std::max(m, x[d * inner]);
          float sum = 0.0f;
          for (int64_t d = 0; d < dim; ++d) sum += (y[d * inner] = std::exp(x[d * inner] - m));
          for (int64_t d = 0; d < dim; ++d) y[d * inner] /= sum;
        }
      return;
    }
    case LayerKind::kLayerNorm: {
      // Normalizes over dims axis.. (inner block); gamma/beta broadcast over it.
      int64_t outer = 1, inner = 1;
      for (size_t d = 0; d < s0.size(); ++d) (static_cast<int64_t>(d) < p.axes.at(0) ? outer : inner) *= s0[d];
      const int64_t ng = static_cast<int64_t>(p.consts.size()), nbeta = static_cast<int64_t>(p.consts2.size());
      for (int64_t o = 0; o < batch * outer; ++o) {
        const float* x = in[0] + o * inner;
        float* y = out + o * inner;
        float mean = 0.0f;
        for (int64_t i = 0; i < inner; ++i) mean += x[i];
        mean /= static_cast<float>(inner);
        float var = 0.0f;
        for (int64_t i = 0; i < inner; ++i) var += (x[i] - mean) * (x[i] - mean);
        var /= static_cast<float>(inner);
        const float inv = 1.0f / std::sqrt(var + p.alpha);
        for (int64_t i = 0; i < inner; ++i)
          y[i] = (x[i] - mean) * inv * (ng ? p.consts[static_cast<size_t>(i % ng)] : 1.0f) +
                 (nbeta ? p.consts2[static_cast<size_t>(i % nbeta)] : 0.0f);
      }
      return;
    }
    case LayerKind::kReduceMean: {
      // Output element = mean over the reduced axes; out_shape may drop them (keepdims=0).
      Shape kept = s0;
      int64_t count = 1;
      for (auto a : p.axes) { count *= s0[static_cast<size_t>(a)]; kept[static_cast<size_t>(a)] = 1; }
      const auto st_in = strides_of(s0);
      const auto st_out = broadcast_strides(kept, s0);  // input index -> output index
      for (int64_t b = 0; b < batch; ++b) {
        float* o = out + b * no;
        std::fill(o, o + no, 0.0f);
        const float* x = in[0] + b * n0;
        for_each_broadcast(s0, st_in, st_out, [&](int64_t, int64_t ia, int64_t io) { o[io] += x[ia]; });
        for (int64_t i = 0; i < no; ++i) o[i] /= static_cast<float>(count);
      }
      return;
    }
    case LayerKind::kTranspose: {
      // out[d] = in[perm[d]]: walk the output with the input's strides permuted.
      const auto st = strides_of(s0);
      std::vector<int64_t> sa(out_shape.size()), sb(out_shape.size(), 0);
      for (size_t d = 0; d < out_shape.size(); ++d) sa[d] = st[static_cast<size_t>(p.axes[d])];
      for (int64_t b = 0; b < batch; ++b) {
        const float* x = in[0] + b * n0;
        float* o = out + b * no;
        for_each_broadcast(out_shape, sa, sb, [&](int64_t oi, int64_t ia, int64_t) { o[oi] = x[ia]; });
      }
      return;
    }
    case LayerKind::kSlice: {
      // Per-sample axes with normalized starts/steps; out_shape holds the counts.
      const auto st = strides_of(s0);
      std::vector<int64_t> sa(s0.size()), sb(s0.size(), 0);
      int64_t base = 0;
      for (size_t d = 0; d < s0.size(); ++d) sa[d] = st[d];
      for (size_t i = 0; i < p.axes.size(); ++i) {
        const size_t a = static_cast<size_t>(p.axes[i]);
        base += p.starts[i] * st[a];
        sa[a] = st[a] * p.steps[i];
      }
      for (int64_t b = 0; b < batch; ++b) {
        const float* x = in[0] + b * n0 + base;
        float* o = out + b * no;
        for_each_broadcast(out_shape, sa, sb, [&](int64_t oi, int64_t ia, int64_t) { o[oi] = x[ia]; });
      }
      return;
    }
    case LayerKind::kGemm: case LayerKind::kConv: case LayerKind::kMatMulAct:
      break;
    default:  // the unary kinds returned before the switch
      break;
  }
  throw Error(std::string("internal: ") + layer_kind_name(kind) + " is not a host operator");
}

}  // namespace keymac
