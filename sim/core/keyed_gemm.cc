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

void gemm_s8_s16(const int8_t* x, const int16_t* ws, int64_t m, int64_t k, int64_t n,
                 int32_t* y) {
  // Unsigned accumulation: int32 wrap-around is defined behaviour this way.
  auto* yu = reinterpret_cast<uint32_t*>(y);
  for (int64_t i = 0; i < m; ++i) {
    uint32_t* row = yu + i * n;
    std::memset(row, 0, static_cast<size_t>(n) * sizeof(uint32_t));
    const int8_t* xr = x + i * k;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int32_t a = xr[kk];
      if (a == 0) continue;
      const int16_t* wr = ws + kk * n;
      for (int64_t j = 0; j < n; ++j) row[j] += static_cast<uint32_t>(a * wr[j]);
    }
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

}  // namespace keymac
