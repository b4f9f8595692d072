#include "sim/core/keyed_gemm.h"

#include <cstring>

#include "sim/core/error.h"

namespace keymac {

std::vector<int16_t> effective_weights(const int8_t* w, int64_t k, int64_t n, Geometry g,
                                       const Key* key) {
  std::vector<int16_t> ws(static_cast<size_t>(k * n));
  for (int64_t i = 0; i < k; ++i) {
    const int r = static_cast<int>(i % g.rows);
    for (int64_t j = 0; j < n; ++j) {
      int16_t v = w[i * n + j];
      if (key && key->bit(r, static_cast<int>(j % g.cols))) v = static_cast<int16_t>(-v);
      ws[static_cast<size_t>(i * n + j)] = v;
    }
  }
  return ws;
}

namespace {
// One output row y[i][0..n) += x[i][kk] * ws[kk][0..n) over kk. N > 0 fixes
// the row length at compile time (the compiler keeps the row in registers and
// unrolls it); N = 0 takes it from n. Unsigned accumulation: int32 wrap-around
// is defined behaviour this way.
template <int N>
void gemm_rows(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n, uint32_t* yu) {
  const int64_t len = N > 0 ? N : n;
  for (int64_t i = 0; i < m; ++i) {
    uint32_t row[N > 0 ? N : 1];
    uint32_t* acc = N > 0 ? row : yu + i * n;
    std::memset(acc, 0, static_cast<size_t>(len) * sizeof(uint32_t));
    const int8_t* xr = x + i * k;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int32_t a = xr[kk];
      if (a == 0) continue;
      const int16_t* wr = ws + kk * len;
      for (int64_t j = 0; j < len; ++j) acc[j] += static_cast<uint32_t>(a * wr[j]);
    }
    if (N > 0) std::memcpy(yu + i * n, row, static_cast<size_t>(len) * sizeof(uint32_t));
  }
}
}  // namespace

void gemm_s8_s16(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n,
                 int32_t* y) {
  auto* yu = reinterpret_cast<uint32_t*>(y);
  switch (n) {  // the narrow layers of small CNNs (channel counts) get a fixed-length row
    case 8: return gemm_rows<8>(x, ws, m, k, n, yu);
    case 10: return gemm_rows<10>(x, ws, m, k, n, yu);
    case 16: return gemm_rows<16>(x, ws, m, k, n, yu);
    case 32: return gemm_rows<32>(x, ws, m, k, n, yu);
    case 64: return gemm_rows<64>(x, ws, m, k, n, yu);
    default: return gemm_rows<0>(x, ws, m, k, n, yu);
  }
}

void keyed_gemm(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, const Key* key,
                int32_t* y) {
  if (key && key->geometry() != g)
    throw Error("key is for a " + key->geometry().str() + " array, not " + g.str());
  auto ws = effective_weights(w, shape.k, shape.n, g, key);
  gemm_s8_s16(x, ws.data(), shape.m, shape.k, shape.n, y);
}

void lock_weights(int8_t* w, int64_t k, int64_t n, const Key& key) {
  const Geometry& g = key.geometry();
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int8_t& v = w[i * n + j];
      if (v == -128) throw Error("weight -128 cannot be locked (weights must be in [-127, 127])");
      if (key.bit(static_cast<int>(i % g.rows), static_cast<int>(j % g.cols)))
        v = static_cast<int8_t>(-v);
    }
}

std::vector<uint8_t> weight_key_bits(const KeySource& key, int64_t layer, int64_t k, int64_t n) {
  const Geometry g = key.geometry();
  const int64_t kt_count = (k + g.rows - 1) / g.rows, nt_count = (n + g.cols - 1) / g.cols;
  std::vector<uint8_t> bits(static_cast<size_t>(k * n));
  std::vector<uint8_t> plane(static_cast<size_t>(g.pes()));
  for (int64_t nt = 0; nt < nt_count; ++nt)
    for (int64_t kt = 0; kt < kt_count; ++kt) {
      key.fold_plane(layer, nt * kt_count + kt, plane.data());
      for (int r = 0; r < g.rows && kt * g.rows + r < k; ++r)
        for (int c = 0; c < g.cols && nt * g.cols + c < n; ++c)
          bits[static_cast<size_t>((kt * g.rows + r) * n + nt * g.cols + c)] = plane[static_cast<size_t>(r * g.cols + c)];
    }
  return bits;
}

std::vector<int16_t> effective_weights(const int8_t* w, int64_t k, int64_t n, const KeySource* key, int64_t layer) {
  std::vector<int16_t> ws(w, w + k * n);
  if (!key) return ws;
  const auto bits = weight_key_bits(*key, layer, k, n);
  for (size_t i = 0; i < ws.size(); ++i)
    if (bits[i]) ws[i] = static_cast<int16_t>(-ws[i]);
  return ws;
}

void keyed_gemm(const int8_t* x, const int8_t* w, GemmShape shape, Geometry g, const KeySource* key,
                int64_t layer, int32_t* y) {
  if (key && key->geometry() != g)
    throw Error("key is for a " + key->geometry().str() + " array, not " + g.str());
  auto ws = effective_weights(w, shape.k, shape.n, key, layer);
  gemm_s8_s16(x, ws.data(), shape.m, shape.k, shape.n, y);
}

namespace {
void flip_where(int8_t* w, const std::vector<uint8_t>& bits) {
  for (size_t i = 0; i < bits.size(); ++i) {
    if (w[i] == -128) throw Error("weight -128 cannot be locked (weights must be in [-127, 127])");
    if (bits[i]) w[i] = static_cast<int8_t>(-w[i]);
  }
}
}  // namespace

void lock_weights(int8_t* w, int64_t k, int64_t n, const KeySource& key, int64_t layer) {
  flip_where(w, weight_key_bits(key, layer, k, n));
}

void relock_weights(int8_t* w, int64_t k, int64_t n, const KeySource& from, const KeySource& to, int64_t layer) {
  if (from.geometry() != to.geometry())
    throw Error("relock: keys are for " + from.geometry().str() + " and " + to.geometry().str() + " arrays");
  auto bits = weight_key_bits(from, layer, k, n);
  const auto tb = weight_key_bits(to, layer, k, n);
  for (size_t i = 0; i < bits.size(); ++i) bits[i] ^= tb[i];
  flip_where(w, bits);
}

}  // namespace keymac
