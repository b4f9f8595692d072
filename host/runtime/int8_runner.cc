#include "host/runtime/int8_runner.h"

#include <algorithm>
#include <cmath>

#include "host/model/host_ops.h"
#include "host/model/ops.h"
#include "host/runtime/requant_kernel.h"
#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"

namespace keymac {

namespace {

// round(v / scale) saturated to int8; NaN becomes 0.
int8_t to_int8(float v, float scale) {
  const float q = v / scale;
  if (std::isnan(q)) return 0;
  return static_cast<int8_t>(std::lround(std::clamp(q, -128.0f, 127.0f)));
}

}  // namespace

Int8Runner::Int8Runner(const QuantModel& model, ArrayBackend& backend, const KeySource* key)
    : model_(model), backend_(backend), key_(key) {
  for (int p = 0; p < 256; ++p) {
    const long q = std::lround(model.preprocess(static_cast<uint8_t>(p)) / model.input_scale);
    pixel_lut_[static_cast<size_t>(p)] = static_cast<int8_t>(std::clamp<long>(q, -128, 127));
  }
  last_reader_.assign(model.layers.size() + 1, -1);
  for (size_t i = 0; i < model.layers.size(); ++i)
    for (int t : model.inputs_of(i)) last_reader_[static_cast<size_t>(t + 1)] = static_cast<int>(i);
}

std::vector<float> Int8Runner::run(const uint8_t* pixels, int64_t batch, std::vector<LayerRun>* stats,
                                   const Observer& observe) {
  const int64_t in_n = numel(model_.input_shape);
  t_.resize(model_.layers.size() + 1);
  t_[0].resize(static_cast<size_t>(batch * in_n));
  int8_t* x = t_[0].data();
  for (int64_t i = 0; i < batch * in_n; ++i) x[i] = pixel_lut_[pixels[i]];
  return run_int8(batch, stats, observe);
}

std::vector<float> Int8Runner::run_input(const float* input, int64_t batch, std::vector<LayerRun>* stats,
                                         const Observer& observe) {
  const int64_t in_n = numel(model_.input_shape);
  t_.resize(model_.layers.size() + 1);
  t_[0].resize(static_cast<size_t>(batch * in_n));
  for (int64_t i = 0; i < batch * in_n; ++i) {
    const long q = std::lround(input[i] / model_.input_scale);
    t_[0][static_cast<size_t>(i)] = static_cast<int8_t>(std::clamp<long>(q, -128, 127));
  }
  return run_int8(batch, stats, observe);
}

void Int8Runner::finish_gemm(const QuantLayer& l, int64_t m, int64_t pixels, int8_t* dst) {
  const bool per_channel = l.requant.size() == static_cast<size_t>(l.n);
  col_requant_.resize(static_cast<size_t>(l.n));
  col_bias_.assign(static_cast<size_t>(l.n), 0);
  for (size_t j = 0; j < col_requant_.size(); ++j) {
    col_requant_[j] = l.requant[per_channel ? j : 0];
    if (!l.bias.empty()) col_bias_[j] = l.bias[j];
  }
  // Rows r = (b, p) of the M x N result; pixels > 1: written as [b][n][p] (NCHW).
  requantize_to_nchw(acc_.data(), m / pixels, pixels, l.n,
                     RequantColumns{col_requant_.data(), col_bias_.data(), l.relu ? 0 : -128}, dst);
}

std::vector<float> Int8Runner::run_int8(int64_t batch, std::vector<LayerRun>* stats, const Observer& observe) {
  const size_t nl = model_.layers.size();
  int64_t gemm_index = 0;  // the expanded key's layer index (ARCHITECTURE.md section 11)
  int64_t act_index = model_.gemm_layers();
  for (size_t li = 0; li < nl; ++li) {
    const QuantLayer& l = model_.layers[li];
    const auto ins = model_.inputs_of(li);
    const std::vector<int8_t>& xin = t_[static_cast<size_t>(ins[0] + 1)];
    const int64_t out_n = numel(l.out_shape), in_n = numel(l.in_shape);
    std::vector<int8_t>& y = t_[li + 1];
    y.assign(static_cast<size_t>(batch * out_n), 0);
    const bool last = li + 1 == nl;
    switch (l.kind) {
      case LayerKind::kGemm:
      case LayerKind::kConv: {
        const bool conv = l.kind == LayerKind::kConv;
        const int64_t pixels_out = conv ? l.out_shape[1] * l.out_shape[2] : 1;
        const int8_t* x = xin.data();
        if (conv) {
          im2col(xin.data(), batch, l.in_shape, l.win, cols_);
          x = cols_.data();
        }
        const int64_t m = conv ? batch * pixels_out : batch * in_n / l.k;
        GemmJob job{l.name, GemmShape{m, l.k, l.n}, x, l.weight.data(), gemm_index++};
        acc_.resize(static_cast<size_t>(m * l.n));
        LayerStats st = backend_.run_gemm(job, acc_.data());
        if (observe) observe(li, acc_.data(), static_cast<int64_t>(acc_.size()));
        if (stats) stats->push_back(LayerRun{l.name, job.shape, st});
        if (l.output_int32) {
          if (!last) throw Error("model: int32 output on a layer that is not the last");
          std::vector<float> rows(acc_.size());
          for (int64_t r = 0; r < m; ++r)
            for (int64_t j = 0; j < l.n; ++j) {
              const size_t i = static_cast<size_t>(r * l.n + j);
              int32_t v = static_cast<int32_t>(static_cast<uint32_t>(acc_[i]) + static_cast<uint32_t>(l.bias[static_cast<size_t>(j)]));
              if (l.relu && v < 0) v = 0;
              rows[i] = static_cast<float>(v) * l.acc_scale[static_cast<size_t>(j)];
            }
          if (!conv) return rows;
          std::vector<float> scores(rows.size());
          rows_to_nchw(rows.data(), batch, l.n, pixels_out, scores.data());
          return scores;
        }
        finish_gemm(l, m, pixels_out, y.data());
        break;
      }
      case LayerKind::kMatMulAct: {
        // [.., M, K] x [.., K, N]: the second activation is the stationary operand.
        const std::vector<int8_t>& win = t_[static_cast<size_t>(ins[1] + 1)];
        const int64_t m = l.in_shape[l.in_shape.size() - 2], k = l.k, n = l.n;
        const int64_t mats = batch * in_n / (m * k);
        acc_.resize(static_cast<size_t>(mats * m * n));
        LayerRun run{l.name, GemmShape{mats * m, k, n}, LayerStats{}};
        for (int64_t i = 0; i < mats; ++i) {
          // The stationary operand is saturated to [-127, 127] like a weight, then
          // (keyed array) pre-flipped with the key's bits so the array's flips cancel:
          // the key must be in host memory, so this product has no static lock.
          const int8_t* w = win.data() + i * k * n;
          wflip_.resize(static_cast<size_t>(k * n));
          for (int64_t e = 0; e < k * n; ++e) wflip_[static_cast<size_t>(e)] = w[e] == -128 ? int8_t(-127) : w[e];
          if (key_) lock_weights(wflip_.data(), k, n, *key_, act_index);
          GemmJob job{l.name, GemmShape{m, k, n}, xin.data() + i * m * k, wflip_.data(), act_index};
          run.stats += backend_.run_gemm(job, acc_.data() + i * m * n);
        }
        ++act_index;
        if (stats) stats->push_back(run);
        if (l.output_int32) {
          if (!last) throw Error("model: int32 output on a layer that is not the last");
          std::vector<float> scores(acc_.size());
          for (size_t i = 0; i < acc_.size(); ++i) scores[i] = static_cast<float>(acc_[i]) * l.acc_scale[0];
          return scores;
        }
        finish_gemm(l, mats * m, 1, y.data());
        break;
      }
      case LayerKind::kRelu: {
        const int8_t* a = xin.data();
        int8_t* out = y.data();
        const int64_t count = static_cast<int64_t>(y.size());
        for (int64_t i = 0; i < count; ++i) out[i] = a[i] > 0 ? a[i] : 0;
        break;
      }
      case LayerKind::kMaxPool:
        max_pool(xin.data(), batch, l.in_shape, l.win, y.data());
        break;
      case LayerKind::kAvgPool:
        avg_pool<int8_t, int32_t>(xin.data(), batch, l.in_shape, l.win, y.data(), [](int32_t s, int c) {
          return static_cast<int8_t>(std::clamp<long>(std::lround(static_cast<double>(s) / c), -128, 127));
        });
        break;
      case LayerKind::kReshape:
        y = xin;
        break;
      default:
        if (!l.join_mult.empty() && l.kind == LayerKind::kAdd) {
          // Integer join: q = round(sum q_i * m_i / 2^kJoinShift), saturated.
          // Raw pointers and the count in locals: the int8 stores may alias the vectors.
          const int8_t* a = xin.data();
          const int8_t* b = t_[static_cast<size_t>(ins[1] + 1)].data();
          int8_t* out = y.data();
          const int64_t count = static_cast<int64_t>(y.size());
          const int64_t ma = l.join_mult[0], mb = l.join_mult[1], half = int64_t(1) << (kJoinShift - 1);
          for (int64_t i = 0; i < count; ++i) {
            const int64_t v = (a[i] * ma + b[i] * mb + half) >> kJoinShift;
            out[i] = static_cast<int8_t>(std::clamp<int64_t>(v, -128, 127));
          }
        } else if (!l.join_mult.empty() && l.kind == LayerKind::kConcat) {
          // Each input rescaled to the output scale in integers, then placed along the axis.
          int64_t outer = 1, inner = 1, dim = l.out_shape[static_cast<size_t>(l.p.axes[0])];
          for (int64_t d = 0; d < l.p.axes[0]; ++d) outer *= l.out_shape[static_cast<size_t>(d)];
          for (size_t d = static_cast<size_t>(l.p.axes[0]) + 1; d < l.out_shape.size(); ++d) inner *= l.out_shape[d];
          const int64_t half = int64_t(1) << (kJoinShift - 1);
          for (int64_t bi = 0; bi < batch; ++bi) {
            int64_t off = 0;
            for (size_t t = 0; t < ins.size(); ++t) {
              const Shape& s = ins[t] == kGraphInput ? model_.input_shape : model_.layers[static_cast<size_t>(ins[t])].out_shape;
              const int64_t d2 = s[static_cast<size_t>(l.p.axes[0])];
              const int8_t* src = t_[static_cast<size_t>(ins[t] + 1)].data() + bi * numel(s);
              const int64_t mt = l.join_mult[t];
              for (int64_t o = 0; o < outer; ++o)
                for (int64_t i = 0; i < d2 * inner; ++i) {
                  const int64_t v = (src[o * d2 * inner + i] * mt + half) >> kJoinShift;
                  y[static_cast<size_t>(bi * out_n + (o * dim + off) * inner + i)] = static_cast<int8_t>(std::clamp<int64_t>(v, -128, 127));
                }
              off += d2;
            }
          }
        } else {
          // Host operator: dequantize, the float operator, requantize to the calibrated scale.
          std::vector<std::vector<float>> fin(ins.size());
          std::vector<const float*> ptrs;
          std::vector<Shape> shapes;
          for (size_t t = 0; t < ins.size(); ++t) {
            const std::vector<int8_t>& q = t_[static_cast<size_t>(ins[t] + 1)];
            const float s = model_.tensor_scale(ins[t]);
            fin[t].resize(q.size());
            for (size_t i = 0; i < q.size(); ++i) fin[t][i] = static_cast<float>(q[i]) * s;
            ptrs.push_back(fin[t].data());
            shapes.push_back(ins[t] == kGraphInput ? model_.input_shape : model_.layers[static_cast<size_t>(ins[t])].out_shape);
          }
          fout_.resize(y.size());
          run_host_op(l.kind, l.win, l.p, ptrs, shapes, l.out_shape, batch, fout_.data());
          for (size_t i = 0; i < y.size(); ++i) y[i] = to_int8(fout_[i], l.out_scale);
        }
    }
    for (int ti : ins)
      if (last_reader_[static_cast<size_t>(ti + 1)] == static_cast<int>(li)) std::vector<int8_t>().swap(t_[static_cast<size_t>(ti + 1)]);
  }
  // The graph ended on an int8 layer: its values times its scale are the scores.
  const std::vector<int8_t>& outq = t_[nl];
  const float s = nl ? model_.layers.back().out_scale : model_.input_scale;
  std::vector<float> scores(outq.size());
  for (size_t i = 0; i < outq.size(); ++i) scores[i] = static_cast<float>(outq[i]) * s;
  return scores;
}

}  // namespace keymac
