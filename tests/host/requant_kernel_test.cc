// requantize_to_nchw (host/runtime/requant_kernel.h) against the contract
// evaluated element by element here with apply_requant (quant_model.h) and an
// explicit NCHW index: random layer shapes with ragged pixel counts (not a
// multiple of the 8-pixel block), accumulators at the int32 extremes, biases
// that make the sum wrap, shifts from 1 to 62, with and without fused ReLU.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "host/runtime/requant_kernel.h"

namespace keymac {
namespace {

struct Layer {
  int64_t batch = 0, pixels = 0, n = 0;
  std::vector<int32_t> acc, bias;
  std::vector<Requant> requant;
  int32_t lo = -128;
};

std::vector<int8_t> by_contract(const Layer& l) {
  std::vector<int8_t> out(static_cast<size_t>(l.batch * l.pixels * l.n));
  for (int64_t b = 0; b < l.batch; ++b)
    for (int64_t p = 0; p < l.pixels; ++p)
      for (int64_t j = 0; j < l.n; ++j) {
        const uint32_t sum = static_cast<uint32_t>(l.acc[static_cast<size_t>((b * l.pixels + p) * l.n + j)]) +
                             static_cast<uint32_t>(l.bias[static_cast<size_t>(j)]);
        out[static_cast<size_t>((b * l.n + j) * l.pixels + p)] = static_cast<int8_t>(
            apply_requant(static_cast<int32_t>(sum), l.requant[static_cast<size_t>(j)], l.lo, 127));
      }
  return out;
}

Layer random_layer(std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Layer l;
  l.batch = pick(1, 3);
  l.pixels = pick(1, 70);
  l.n = pick(1, 20);
  l.lo = pick(0, 1) ? 0 : -128;
  const int32_t imin = std::numeric_limits<int32_t>::min(), imax = std::numeric_limits<int32_t>::max();
  for (int64_t i = 0; i < l.batch * l.pixels * l.n; ++i) {
    const int64_t c = pick(0, 5);
    l.acc.push_back(c == 0 ? imin : c == 1 ? imax : c == 2 ? 0 : static_cast<int32_t>(pick(-200000, 200000)));
  }
  for (int64_t j = 0; j < l.n; ++j) {
    const int64_t c = pick(0, 3);
    l.bias.push_back(c == 0 ? imax : c == 1 ? imin : static_cast<int32_t>(pick(-5000, 5000)));
    Requant q;
    q.multiplier = static_cast<int32_t>(pick(int64_t{1} << 30, (int64_t{1} << 31) - 1));
    q.shift = static_cast<int32_t>(pick(0, 2) ? pick(20, 40) : pick(1, 62));
    l.requant.push_back(q);
  }
  return l;
}

std::vector<int8_t> run(const Layer& l, bool portable_only) {
  std::vector<int8_t> out(static_cast<size_t>(l.batch * l.pixels * l.n), 77);
  const RequantColumns cols{l.requant.data(), l.bias.data(), l.lo};
  if (portable_only)
    requantize_to_nchw_portable(l.acc.data(), l.batch, l.pixels, l.n, cols, out.data());
  else
    requantize_to_nchw(l.acc.data(), l.batch, l.pixels, l.n, cols, out.data());
  return out;
}

TEST(RequantKernel, EveryPathEqualsApplyRequantPerElementInNchwOrder) {
  std::mt19937_64 rng(5);
  for (int t = 0; t < 400; ++t) {
    const Layer l = random_layer(rng);
    const auto want = by_contract(l);
    ASSERT_EQ(run(l, false), want) << "dispatched: batch " << l.batch << " pixels " << l.pixels << " n " << l.n;
    ASSERT_EQ(run(l, true), want) << "portable: batch " << l.batch << " pixels " << l.pixels << " n " << l.n;
  }
}

TEST(RequantKernel, ShippedConvShapesEqualApplyRequant) {
  // 28x28, 14x14 and 7x7 outputs with 8 and 16 channels, as in the shipped CNN / residual model.
  std::mt19937_64 rng(9);
  for (const auto& [pixels, n] : {std::pair<int64_t, int64_t>{784, 8}, {196, 8}, {49, 16}, {196, 16}}) {
    Layer l = random_layer(rng);
    l.pixels = pixels;
    l.n = n;
    l.acc.resize(static_cast<size_t>(l.batch * pixels * n));
    for (auto& v : l.acc) v = static_cast<int32_t>(std::uniform_int_distribution<int32_t>(-3000000, 3000000)(rng));
    l.bias.resize(static_cast<size_t>(n), 1234);
    l.requant.resize(static_cast<size_t>(n), Requant{1518500250, 38});
    ASSERT_EQ(run(l, false), by_contract(l)) << pixels << " x " << n;
  }
}

}  // namespace
}  // namespace keymac
