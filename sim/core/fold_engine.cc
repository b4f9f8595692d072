#include "sim/core/fold_engine.h"

#include <algorithm>
#include <cstring>

#include "sim/core/error.h"

namespace keymac {

namespace {

// Y[i][0..cv) (+)= sum_r x[i][r] * ws[r][0..cv), over i < m. x rows have
// stride ldx (kv valid entries), ws rows stride C, y rows stride ldy.
// Products fit in int16 (|a*w| <= 128*127), sums wrap modulo 2^32.
// Cloned for AVX2 / AVX-512 / baseline so the same binary is fast anywhere.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=skylake-avx512", "avx2", "default")))
#endif
void fold_kernel(const int8_t* x, int64_t ldx, int64_t m, int64_t kv, const int16_t* ws,
                 int64_t C, int64_t cv, uint32_t* y, int64_t ldy, bool overwrite) {
  uint32_t acc[256];
  for (int64_t i = 0; i < m; ++i) {
    const int8_t* xr = x + i * ldx;
    uint32_t* yr = y + i * ldy;
    if (overwrite)
      for (int64_t c = 0; c < cv; ++c) acc[c] = 0;
    else
      for (int64_t c = 0; c < cv; ++c) acc[c] = yr[c];
    for (int64_t r = 0; r < kv; ++r) {
      const int16_t a = xr[r];
      if (a == 0) continue;
      const int16_t* wr = ws + r * C;
      for (int64_t c = 0; c < cv; ++c)
        acc[c] += static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(a * wr[c])));
    }
    for (int64_t c = 0; c < cv; ++c) yr[c] = acc[c];
  }
}

}  // namespace

FastArray::FastArray(Geometry g) : g_(g), key_(static_cast<size_t>(g.pes()), 0) {}

void FastArray::set_key(const KeyRegister& reg) {
  if (reg.geometry() != g_) throw Error("FastArray: key register of another geometry");
  key_ = reg.bits();
  sealed_ = reg.sealed();
  err_ = reg.err();
  src_ = nullptr;
  ws_fold_ = -1;
}

void FastArray::set_key_source(const KeySource* src, int64_t layer) {
  if (src && src->geometry() != g_) throw Error("FastArray: key source of another geometry");
  src_ = src;
  layer_ = layer;
  sealed_ = src != nullptr;
  err_ = false;
  ws_fold_ = -1;
}

void FastArray::load_fold(const GemmProblem& p, int64_t f) {
  if (ws_fold_ == f && ws_w_ == p.w && ws_k_ == p.shape.k && ws_n_ == p.shape.n) return;
  const int R = g_.rows, C = g_.cols;
  const int64_t K = p.shape.k, N = p.shape.n;
  const int64_t kt_count = (K + R - 1) / R;
  const int64_t kt = f % kt_count, nt = f / kt_count;
  ws_.assign(static_cast<size_t>(R * C), 0);
  if (src_) src_->fold_plane(layer_, f, key_.data());
  for (int r = 0; r < R && kt * R + r < K; ++r)
    for (int c = 0; c < C && nt * C + c < N; ++c) {
      const int16_t w = p.w[(kt * R + r) * N + nt * C + c];
      ws_[static_cast<size_t>(r * C + c)] =
          key_[static_cast<size_t>(r * C + c)] ? static_cast<int16_t>(-w) : w;
    }
  ws_fold_ = f;
  ws_w_ = p.w;
  ws_k_ = p.shape.k;
  ws_n_ = p.shape.n;
}

void FastArray::run_fold(const GemmProblem& p, int64_t f, int32_t* y) {
  load_fold(p, f);
  const int R = g_.rows, C = g_.cols;
  const int64_t K = p.shape.k, N = p.shape.n;
  const int64_t kt_count = (K + R - 1) / R;
  const int64_t kt = f % kt_count, nt = f / kt_count;
  const int64_t kv = std::min<int64_t>(R, K - kt * R), cv = std::min<int64_t>(C, N - nt * C);
  fold_kernel(p.x + kt * R, K, p.shape.m, kv, ws_.data(), C, cv,
              reinterpret_cast<uint32_t*>(y) + nt * C, N, kt == 0);
}

void FastArray::psum_row(const GemmProblem& p, int64_t f, int64_t i, int32_t* out) {
  load_fold(p, f);
  const int R = g_.rows, C = g_.cols;
  const int64_t K = p.shape.k;
  const int64_t kt = f % ((K + R - 1) / R);
  const int64_t kv = std::min<int64_t>(R, K - kt * R);
  uint32_t acc[256];
  for (int c = 0; c < C; ++c) acc[c] = 0;
  const int8_t* xr = p.x + i * K + kt * R;
  for (int64_t r = 0; r < kv; ++r)
    for (int c = 0; c < C; ++c)
      acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xr[r]) * ws_[static_cast<size_t>(r * C + c)]);
  std::memcpy(out, acc, static_cast<size_t>(C) * sizeof(int32_t));
}

void FastArray::outputs_at(const Sequencer& seq, int64_t t, ArrayOutputs& out) {
  const int C = g_.cols;
  if (static_cast<int>(out.psum_data.size()) != C) out.resize(g_);
  out.key_sealed = sealed_;
  out.key_err = err_;
  int64_t f, i;
  out.psum_valid = seq.activation_at(t - (g_.rows + C - 1), f, i);
  if (out.psum_valid)
    psum_row(seq.problem(), f, i, out.psum_data.data());
  else
    std::fill(out.psum_data.begin(), out.psum_data.end(), 0);
}

}  // namespace keymac
