// gemm_f32 (host/model/float_executor.h) bit for bit against its contract
// evaluated here in plain scalar float: acc = bias, then for k ascending and
// x != 0, acc = acc + x * w. Shapes cover the 4-row AVX2 blocks (N = 8, 16)
// with ragged row counts and the other widths; operands include 0, -0,
// negative zero biases and values whose rounding depends on the order.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "host/model/float_executor.h"

namespace keymac {
namespace {

std::vector<float> by_contract(const std::vector<float>& x, const std::vector<float>& w, const float* bias, int64_t m,
                               int64_t k, int64_t n) {
  std::vector<float> y(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      volatile float acc = bias ? bias[j] : 0.0f;  // volatile: one rounding per operation, never fused
      for (int64_t kk = 0; kk < k; ++kk) {
        const float a = x[static_cast<size_t>(i * k + kk)];
        if (a == 0.0f) continue;
        volatile float p = a * w[static_cast<size_t>(kk * n + j)];
        acc = acc + p;
      }
      y[static_cast<size_t>(i * n + j)] = acc;
    }
  return y;
}

float draw(std::mt19937_64& rng) {
  const int c = std::uniform_int_distribution<int>(0, 5)(rng);
  if (c == 0) return 0.0f;
  if (c == 1) return -0.0f;
  if (c == 2) return std::uniform_real_distribution<float>(-1e6f, 1e6f)(rng);
  return std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng);
}

TEST(FloatGemm, EveryPathGivesTheContractsBitsForRandomShapes) {
  std::mt19937_64 rng(21);
  const int64_t widths[] = {8, 16, 8, 16, 1, 3, 10, 24, 32, 40};
  for (int t = 0; t < 200; ++t) {
    const int64_t m = std::uniform_int_distribution<int64_t>(1, 23)(rng), k = std::uniform_int_distribution<int64_t>(0, 80)(rng);
    const int64_t n = widths[t % 10];
    std::vector<float> x(static_cast<size_t>(m * k)), w(static_cast<size_t>(k * n)), bias(static_cast<size_t>(n));
    for (auto& v : x) v = draw(rng);
    for (auto& v : w) v = draw(rng);
    for (auto& v : bias) v = draw(rng);
    for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
      std::vector<float> y(static_cast<size_t>(m * n), 12345.0f);
      gemm_f32(x.data(), w.data(), b, m, k, n, y.data());
      const auto want = by_contract(x, w, b, m, k, n);
      ASSERT_EQ(0, std::memcmp(y.data(), want.data(), y.size() * sizeof(float)))
          << "M=" << m << " K=" << k << " N=" << n << (b ? " with bias" : " no bias");
    }
  }
}

}  // namespace
}  // namespace keymac
