// Helpers shared by the tests/sim suites: random layers and an independent
// plain GEMM reference (no code from sim/core).
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace keymac::test {

inline std::vector<int8_t> random_s8(size_t n, std::mt19937_64& rng, int lo = -128, int hi = 127,
                                     double zero_frac = 0.0) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = (u(rng) < zero_frac) ? 0 : static_cast<int8_t>(d(rng));
  return v;
}

// Y = X * W with int64 accumulation, truncated to int32 modulo 2^32.
inline std::vector<int32_t> plain_gemm(const std::vector<int8_t>& x, const std::vector<int8_t>& w,
                                       int64_t m, int64_t k, int64_t n) {
  std::vector<int32_t> y(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t s = 0;
      for (int64_t kk = 0; kk < k; ++kk) s += int64_t(x[i * k + kk]) * w[kk * n + j];
      y[i * n + j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(s)));
    }
  return y;
}

// (F-1)*max(M,R) + M + R + C, written out again from ARCHITECTURE.md section 8.
inline int64_t closed_form_cycles(int64_t m, int64_t k, int64_t n, int r, int c) {
  const int64_t f = ((k + r - 1) / r) * ((n + c - 1) / c);
  return (f - 1) * std::max<int64_t>(m, r) + m + r + c;
}

}  // namespace keymac::test
