// The simulation form of km_array's PE grid (SimGrid = 1, what the untraced
// verilated models run) against the km_pe form (SimGrid = 0, what Yosys
// synthesises and the traces name): rtl/tb/km_grid_equiv.sv holds both on the
// same inputs, and diff_o must stay 0 in every cycle under random inputs on
// every port (key loads and reloads, weight writes to every row index the
// port can carry, including rows past the last on non-power-of-2 arrays,
// activations, resets), in geometries and number formats beyond the
// registry's (cmake/rtl.cmake: non-square, 1x1, two's complement, plain).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "km_grid_equiv_cases.h"
#include "params/keymac_params.h"
#include "verilated.h"

namespace keymac {
namespace {

struct Case {
  int rows, cols;
  bool keyed, signmag;
};

std::string name(const Case& c) {
  return std::to_string(c.rows) + "x" + std::to_string(c.cols) + (c.keyed ? " keyed" : " plain") +
         (c.signmag ? " sign-magnitude" : " two's complement");
}

uint64_t bits(std::mt19937_64& rng, int n) { return n >= 64 ? rng() : rng() & ((uint64_t{1} << n) - 1); }

template <class Port>
void put(Port& port, uint64_t v) {
  port = static_cast<Port>(v);
}

// flip_at >= 0: invert one array's a_valid_i in that cycle only,
// and return the first cycle at which diff_o fired (-1: never).
template <class V>
int run(const Case& c, uint32_t seed, int flip_at) {
  EXPECT_LE(8 * c.rows, 64);
  EXPECT_LE(8 * c.cols, 64);
  auto ctx = std::make_unique<VerilatedContext>();
  auto top = std::make_unique<V>(ctx.get(), "km_grid_equiv");
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution coin(0.5), rare(0.003), often(0.7);
  const int row_bits = params::index_width(c.rows);  // w_row_i's width
  const int n = c.rows * c.cols;
  uint64_t busy = 0, loads = 0;
  for (int t = 0; t < 6000; ++t) {
    top->rst_ni = t < 2 ? 0 : !rare(rng);
    // The key first (n bits), then a rare reload attempt (refused once sealed
    // until a reset), so both the sealed and the unsealed array are seen.
    top->key_valid_i = (t >= 2 && t < n + 2) || rare(rng);
    top->key_bit_i = coin(rng);
    top->w_valid_i = coin(rng);
    put(top->w_row_i, bits(rng, row_bits));
    top->w_bank_i = coin(rng);
    put(top->w_data_i, bits(rng, 8 * c.cols));
    top->a_valid_i = often(rng) || t == flip_at;
    top->a_bank_i = coin(rng);
    put(top->a_data_i, bits(rng, 8 * c.rows));
    top->flip_i = t == flip_at;
    top->clk_i = 0;
    top->eval();
    if (top->diff_o) return t;
    top->clk_i = 1;
    top->eval();
    if (top->diff_o) return t;
    busy += top->psum_valid_o;
    loads += top->w_valid_i;
  }
  top->final();
  EXPECT_GT(busy, 2000u) << "too few valid output rows for the comparison to mean much";
  EXPECT_GT(loads, 2000u);
  return -1;
}

template <class V>
void check_equal_every_cycle(const Case& c, uint32_t seed) {
  SCOPED_TRACE(name(c));
  const int differs = run<V>(c, seed, -1);
  EXPECT_EQ(differs, -1) << "the two forms' outputs differ in cycle " << differs;
}

// The comparison can fail: one array's activation row dropped (valid
// inverted) in one cycle shows up on the outputs within the array's latency.
template <class V>
void check_detects_a_flip(const Case& c, uint32_t seed) {
  SCOPED_TRACE(name(c));
  const int at = 3000;
  const int differs = run<V>(c, seed, at);
  EXPECT_GE(differs, at);
  EXPECT_LE(differs, at + c.rows + c.cols + 1) << "(-1: the flipped bit never reached an output)";
}

TEST(GridForms, SameOutputsEveryCycle) {
  uint32_t seed = 5100;
#define KM_RUN_CASE(V, R, C, K, S) check_equal_every_cycle<V>(Case{R, C, K != 0, S != 0}, ++seed);
  KM_GRID_EQUIV_CASES(KM_RUN_CASE)
#undef KM_RUN_CASE
}

TEST(GridForms, ComparisonSeesAOneBitDifference) {
  uint32_t seed = 5100;
#define KM_RUN_CASE(V, R, C, K, S) check_detects_a_flip<V>(Case{R, C, K != 0, S != 0}, ++seed);
  KM_GRID_EQUIV_CASES(KM_RUN_CASE)
#undef KM_RUN_CASE
}

}  // namespace
}  // namespace keymac
