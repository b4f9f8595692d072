// The int8 x int16 GEMM kernels (sim/core/gemm_kernel.h) against a textbook
// triple loop written here (int64 sums wrapped to 32 bits): random shapes with
// ragged edges (M not a multiple of the 4-row block, K odd, N not a multiple
// of 8 or 16), extreme operands (-128, 127, weights +-128) and sums that wrap.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <vector>

#include "sim/core/gemm_kernel.h"
#include "sim/core/keyed_gemm.h"

namespace keymac {
namespace {

using Kernel = std::function<void(const int8_t*, const int16_t*, int64_t, int64_t, int64_t, int32_t*)>;

struct Problem {
  int64_t m = 0, k = 0, n = 0;
  std::vector<int8_t> x;
  std::vector<int16_t> w;
};

std::vector<int32_t> triple_loop(const Problem& p) {
  std::vector<int32_t> y(static_cast<size_t>(p.m * p.n));
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      int64_t acc = 0;
      for (int64_t kk = 0; kk < p.k; ++kk)
        acc += int64_t{p.x[static_cast<size_t>(i * p.k + kk)]} * p.w[static_cast<size_t>(kk * p.n + j)];
      y[static_cast<size_t>(i * p.n + j)] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc)));
    }
  return y;
}

std::vector<int32_t> run(const Kernel& kernel, const Problem& p) {
  // Poisoned output: every element must be written.
  std::vector<int32_t> y(static_cast<size_t>(p.m * p.n), 0x5a5a5a5a);
  kernel(p.x.data(), p.w.data(), p.m, p.k, p.n, y.data());
  return y;
}

// Activations drawn mostly from the extremes and zero (zero skipping, the
// int16 pair limits), the rest uniform; weights in [-128, 128] likewise.
Problem random_problem(std::mt19937_64& rng, int64_t m, int64_t k, int64_t n) {
  Problem p{m, k, n, std::vector<int8_t>(static_cast<size_t>(m * k)), std::vector<int16_t>(static_cast<size_t>(k * n))};
  std::uniform_int_distribution<int> pick(0, 4), a8(-128, 127), w(-128, 128);
  const int xs[] = {-128, 127, 0}, ws[] = {-128, 128, 127};
  for (auto& v : p.x) {
    const int c = pick(rng);
    v = static_cast<int8_t>(c < 3 ? xs[c] : a8(rng));
  }
  for (auto& v : p.w) {
    const int c = pick(rng);
    v = static_cast<int16_t>(c < 3 ? ws[c] : w(rng));
  }
  return p;
}

std::vector<std::pair<std::string, Kernel>> kernels() {
  std::vector<std::pair<std::string, Kernel>> ks{{"portable", gemm_s8_s16_portable}, {"dispatched", gemm_s8_s16}};
  if (gemm_avx2_available()) ks.emplace_back("avx2", gemm_s8_s16_avx2);
  return ks;
}

TEST(GemmKernel, EveryKernelEqualsTheTripleLoopOnRandomRaggedShapes) {
  std::mt19937_64 rng(12);
  std::uniform_int_distribution<int64_t> mdim(1, 37), kdim(1, 150), ndim(1, 70);
  for (int t = 0; t < 300; ++t) {
    const Problem p = random_problem(rng, mdim(rng), kdim(rng), ndim(rng));
    const auto want = triple_loop(p);
    for (const auto& [name, kernel] : kernels())
      ASSERT_EQ(run(kernel, p), want) << name << " M=" << p.m << " K=" << p.k << " N=" << p.n;
  }
}

TEST(GemmKernel, EveryKernelEqualsTheTripleLoopOnTheShippedModelsLayerShapes) {
  // The narrow convolutions of the shipped CNN / residual model and the MLP's layers.
  std::mt19937_64 rng(7);
  const int64_t shapes[][3] = {{515, 9, 8}, {203, 72, 8}, {198, 72, 16}, {101, 144, 16}, {99, 8, 16},
                               {61, 16, 10}, {33, 784, 128}, {17, 128, 64}, {9, 64, 10}, {5, 25, 6}};
  for (const auto& s : shapes) {
    const Problem p = random_problem(rng, s[0], s[1], s[2]);
    const auto want = triple_loop(p);
    for (const auto& [name, kernel] : kernels())
      ASSERT_EQ(run(kernel, p), want) << name << " M=" << s[0] << " K=" << s[1] << " N=" << s[2];
  }
}

TEST(GemmKernel, SumsWrapModulo2To32InEveryKernel) {
  // 140,001 products of (-128) * (-128) = 2^14 sum to 2,293,776,384 > 2^31 - 1:
  // the result is that sum mod 2^32 (negative as int32); 127 * 128 wraps the other way.
  for (const auto& [xv, wv] : {std::pair<int8_t, int16_t>{-128, -128}, {127, 128}, {-128, 128}}) {
    Problem p{3, 140001, 9, {}, {}};
    p.x.assign(static_cast<size_t>(p.m * p.k), xv);
    p.w.assign(static_cast<size_t>(p.k * p.n), wv);
    const auto want = triple_loop(p);
    for (const auto& [name, kernel] : kernels()) EXPECT_EQ(run(kernel, p), want) << name;
  }
}

TEST(GemmKernel, EmptyInnerDimensionGivesZeros) {
  Problem p{5, 0, 11, {}, {}};
  for (const auto& [name, kernel] : kernels())
    EXPECT_EQ(run(kernel, p), std::vector<int32_t>(55, 0)) << name;
}

}  // namespace
}  // namespace keymac
