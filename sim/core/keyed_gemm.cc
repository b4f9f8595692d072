#include "sim/core/keyed_gemm.h"

#include "sim/core/error.h"
#include "sim/core/gemm_kernel.h"

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

void gemm_s8_s16(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n,
                 int32_t* y) {
  if (gemm_avx2_available()) return gemm_s8_s16_avx2(x, ws, m, k, n, y);
  gemm_s8_s16_portable(x, ws, m, k, n, y);
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
