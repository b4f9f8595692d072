// km_array (verilated) against docs/ARCHITECTURE.md: sections 4 (locking),
// 5 (key register), 7 (boundary timing) and 8 (schedule and closed form).
// The references here are independent of the RTL: a plain int32 GEMM, the
// locking rule, and the closed-form cycle count written out from the spec.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rtl_models.h"
#include "sim/core/array_ports.h"

namespace keymac::rtl {
namespace {

// ---------------------------------------------------------------------------
// Independent references
// ---------------------------------------------------------------------------
struct Gemm {
  int m = 0, k = 0, n = 0;
  std::vector<int8_t> x;  // m*k, row-major
  std::vector<int8_t> w;  // k*n, row-major
};

// Y = X * W with int32 wrap-around.
std::vector<int32_t> reference_gemm(const Gemm& g) {
  std::vector<int32_t> y(static_cast<size_t>(g.m) * g.n);
  for (int i = 0; i < g.m; ++i)
    for (int j = 0; j < g.n; ++j) {
      uint32_t acc = 0;
      for (int q = 0; q < g.k; ++q)
        acc += static_cast<uint32_t>(int32_t{g.x[i * g.k + q]} * int32_t{g.w[q * g.n + j]});
      y[i * g.n + j] = static_cast<int32_t>(acc);
    }
  return y;
}

using Key = std::vector<uint8_t>;  // rows*cols bits, row-major

// Section 4: W_locked[k][n] = (-1)^key[k mod R][n mod C] * W[k][n].
std::vector<int8_t> lock_weights(const Gemm& g, const Key& key, int rows, int cols) {
  std::vector<int8_t> out(g.w);
  for (int q = 0; q < g.k; ++q)
    for (int j = 0; j < g.n; ++j)
      if (key[(q % rows) * cols + (j % cols)]) out[q * g.n + j] = static_cast<int8_t>(-g.w[q * g.n + j]);
  return out;
}

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Section 8: cycles = (F-1)*max(M,R) + M + R + C.
uint64_t closed_form_cycles(int m, int k, int n, int rows, int cols) {
  const int f = ceil_div(k, rows) * ceil_div(n, cols);
  return static_cast<uint64_t>(f - 1) * std::max(m, rows) + m + rows + cols;
}

Gemm random_gemm(std::mt19937& rng, int m, int k, int n) {
  Gemm g{m, k, n, {}, {}};
  std::uniform_int_distribution<int> act(-128, 127), wgt(-127, 127);
  g.x.resize(static_cast<size_t>(m) * k);
  g.w.resize(static_cast<size_t>(k) * n);
  for (auto& v : g.x) v = static_cast<int8_t>(act(rng));
  for (auto& v : g.w) v = static_cast<int8_t>(wgt(rng));
  return g;
}

Key random_key(std::mt19937& rng, int rows, int cols) {
  Key key(static_cast<size_t>(rows) * cols);
  std::bernoulli_distribution bit(0.5);
  for (auto& b : key) b = bit(rng);
  return key;
}

// ---------------------------------------------------------------------------
// Driving the array from the section 8 schedule
// ---------------------------------------------------------------------------
void load_key(RtlArray& a, const Key& key) {
  for (uint8_t b : key) {
    a.set_key(true, b != 0);
    a.step();
  }
  a.set_key(false, false);
}

struct ScheduleRun {
  std::vector<int32_t> y;
  std::vector<uint64_t> valid_cycles;     // schedule cycles with psum_valid_o = 1
  std::vector<uint64_t> expected_cycles;  // S_f + i + R + C - 1 for every row
  bool data_zero_when_invalid = true;
};

// Runs the whole GEMM with the weights `w` (k*n) as given; cycle 0 is the
// first weight write. Runs `tail` cycles past the closed-form end.
ScheduleRun run_schedule(RtlArray& a, const Gemm& g, const std::vector<int8_t>& w, int tail = 8) {
  const int rows = a.rows(), cols = a.cols();
  const int kt_n = ceil_div(g.k, rows), nt_n = ceil_div(g.n, cols);
  const int folds = kt_n * nt_n;
  const int period = std::max(g.m, rows);
  const uint64_t total = closed_form_cycles(g.m, g.k, g.n, rows, cols);
  ScheduleRun run;
  run.y.assign(static_cast<size_t>(g.m) * g.n, 0);
  for (int f = 0; f < folds; ++f)
    for (int i = 0; i < g.m; ++i)
      run.expected_cycles.push_back(static_cast<uint64_t>(f) * period + 1 + i + rows + cols - 1);

  std::vector<int8_t> wrow(cols), arow(rows);
  // Inputs that are not valid carry noise: the array must ignore them.
  std::mt19937 noise(static_cast<uint32_t>(g.m * 131 + g.k * 17 + g.n));
  std::uniform_int_distribution<int> byte(-128, 127), bit(0, 1), row(0, rows - 1);
  auto noisy = [&](std::vector<int8_t>& v) {
    for (auto& e : v) e = static_cast<int8_t>(byte(noise));
  };
  for (uint64_t t = 0; t < total + tail; ++t) {
    noisy(wrow);
    noisy(arow);
    a.set_key(false, bit(noise) != 0);
    a.set_weights(false, static_cast<uint32_t>(row(noise)), bit(noise) != 0, wrow);
    a.set_activations(false, bit(noise) != 0, arow);
    // weight row r of fold f in cycle f*P + r
    if (t < static_cast<uint64_t>(folds) * period) {
      const int f = static_cast<int>(t / period), r = static_cast<int>(t % period);
      if (r < rows) {
        const int nt = f / kt_n, kt = f % kt_n, q = kt * rows + r;
        for (int c = 0; c < cols; ++c) {
          const int j = nt * cols + c;
          wrow[c] = (q < g.k && j < g.n) ? w[q * g.n + j] : int8_t{0};
        }
        a.set_weights(true, static_cast<uint32_t>(r), f % 2, wrow);
      }
    }
    // activation row i of fold f in cycle f*P + 1 + i
    if (t >= 1 && t - 1 < static_cast<uint64_t>(folds) * period) {
      const int f = static_cast<int>((t - 1) / period), i = static_cast<int>((t - 1) % period);
      if (i < g.m) {
        const int kt = f % kt_n;
        for (int r = 0; r < rows; ++r) {
          const int q = kt * rows + r;
          arow[r] = q < g.k ? g.x[i * g.k + q] : int8_t{0};
        }
        a.set_activations(true, f % 2, arow);
      }
    }
    // outputs of cycle t: the row presented in cycle t - (R + C - 1)
    if (a.psum_valid()) {
      run.valid_cycles.push_back(t);
      const uint64_t s = t - static_cast<uint64_t>(rows + cols - 1) - 1;
      const int f = static_cast<int>(s / period), i = static_cast<int>(s % period);
      if (f < folds && i < g.m) {
        const int nt = f / kt_n;
        for (int c = 0; c < cols; ++c) {
          const int j = nt * cols + c;
          if (j < g.n)
            run.y[i * g.n + j] = static_cast<int32_t>(static_cast<uint32_t>(run.y[i * g.n + j]) +
                                                      static_cast<uint32_t>(a.psum(c)));
        }
      }
    } else {
      for (int c = 0; c < cols; ++c)
        if (a.psum(c) != 0) run.data_zero_when_invalid = false;
    }
    a.step();
  }
  return run;
}

}  // namespace

// Readable test parameters (found by ADL).
void PrintTo(const RtlGeometry& g, std::ostream* os) {
  *os << g.rows << "x" << g.cols << (g.keyed ? " keyed" : " plain");
}

namespace {

std::string name_of(const RtlGeometry& g) {
  std::ostringstream s;
  s << g.rows << "x" << g.cols << (g.keyed ? "_keyed" : "_plain");
  return s.str();
}

std::vector<RtlGeometry> keyed_geometries() {
  std::vector<RtlGeometry> out;
  for (const auto& g : rtl_geometries())
    if (g.keyed && !g.expanded) out.push_back(g);  // the expanded arrays: km_array_kx_test.cc
  return out;
}

std::unique_ptr<RtlArray> make(const RtlGeometry& g) {
  auto a = make_rtl_array(g.rows, g.cols, g.keyed);
  if (!a) throw std::runtime_error("no verilated model for " + name_of(g));
  a->reset();
  return a;
}

// Random sizes including K, N that are not multiples of R, C and M < R.
struct Sizes {
  int m, k, n;
};
Sizes random_sizes(std::mt19937& rng, int rows, int cols) {
  std::uniform_int_distribution<int> m(1, 2 * rows + 3), k(1, 3 * rows + 2), n(1, 3 * cols + 2);
  return {m(rng), k(rng), n(rng)};
}

int trials_for(const RtlGeometry& g) { return g.rows * g.cols >= 256 ? 3 : 8; }

// ---------------------------------------------------------------------------
// Keyed geometries
// ---------------------------------------------------------------------------
class KeyedArray : public ::testing::TestWithParam<RtlGeometry> {};

TEST_P(KeyedArray, RightKeyWithLockedWeightsGivesPlainGemmOfUnlockedWeights) {
  const RtlGeometry geo = GetParam();
  std::mt19937 rng(1000 + geo.rows * 37 + geo.cols);
  for (int trial = 0; trial < trials_for(geo); ++trial) {
    const Sizes s = random_sizes(rng, geo.rows, geo.cols);
    const Gemm g = random_gemm(rng, s.m, s.k, s.n);
    const Key key = random_key(rng, geo.rows, geo.cols);
    auto a = make(geo);
    load_key(*a, key);
    ASSERT_TRUE(a->key_sealed());
    const ScheduleRun run = run_schedule(*a, g, lock_weights(g, key, geo.rows, geo.cols));
    EXPECT_EQ(run.y, reference_gemm(g)) << "M=" << s.m << " K=" << s.k << " N=" << s.n;
    EXPECT_FALSE(a->key_err());
  }
}

TEST_P(KeyedArray, LastOutputCyclePlusOneEqualsClosedForm) {
  const RtlGeometry geo = GetParam();
  std::mt19937 rng(2000 + geo.rows * 37 + geo.cols);
  for (int trial = 0; trial < trials_for(geo); ++trial) {
    const Sizes s = random_sizes(rng, geo.rows, geo.cols);
    const Gemm g = random_gemm(rng, s.m, s.k, s.n);
    auto a = make(geo);
    load_key(*a, random_key(rng, geo.rows, geo.cols));
    const ScheduleRun run = run_schedule(*a, g, g.w);
    ASSERT_FALSE(run.valid_cycles.empty());
    EXPECT_EQ(run.valid_cycles.back() + 1, closed_form_cycles(s.m, s.k, s.n, geo.rows, geo.cols))
        << "M=" << s.m << " K=" << s.k << " N=" << s.n;
  }
}

TEST_P(KeyedArray, EachOutputRowLeavesInCycleTPlusRowsPlusColsMinusOne) {
  const RtlGeometry geo = GetParam();
  std::mt19937 rng(3000 + geo.rows * 37 + geo.cols);
  for (int trial = 0; trial < trials_for(geo); ++trial) {
    const Sizes s = random_sizes(rng, geo.rows, geo.cols);
    const Gemm g = random_gemm(rng, s.m, s.k, s.n);
    auto a = make(geo);
    load_key(*a, random_key(rng, geo.rows, geo.cols));
    const ScheduleRun run = run_schedule(*a, g, g.w);
    EXPECT_EQ(run.valid_cycles, run.expected_cycles) << "M=" << s.m << " K=" << s.k << " N=" << s.n;
    EXPECT_TRUE(run.data_zero_when_invalid) << "psum_data_o must be 0 when psum_valid_o is 0";
  }
}

TEST_P(KeyedArray, KeySealsAfterRowsTimesColsBits) {
  const RtlGeometry geo = GetParam();
  auto a = make(geo);
  const int bits = geo.rows * geo.cols;
  for (int j = 0; j < bits; ++j) {
    EXPECT_FALSE(a->key_sealed()) << "sealed before bit " << j;
    a->set_key(true, j % 3 == 0);
    a->step();
  }
  a->set_key(false, false);
  EXPECT_TRUE(a->key_sealed());
  EXPECT_FALSE(a->key_err());
  for (int i = 0; i < 5; ++i) a->step();
  EXPECT_TRUE(a->key_sealed());
  EXPECT_FALSE(a->key_err());
}

TEST_P(KeyedArray, KeyReloadAfterSealIsRefused) {
  const RtlGeometry geo = GetParam();
  std::mt19937 rng(4000 + geo.rows * 37 + geo.cols);
  const Sizes s = random_sizes(rng, geo.rows, geo.cols);
  const Gemm g = random_gemm(rng, s.m, s.k, s.n);
  const Key key = random_key(rng, geo.rows, geo.cols);
  Key other = key;
  for (auto& b : other) b ^= 1u;  // every bit different
  auto a = make(geo);
  load_key(*a, key);
  ASSERT_TRUE(a->key_sealed());
  load_key(*a, other);  // refused
  EXPECT_TRUE(a->key_err());
  EXPECT_TRUE(a->key_sealed());
  const ScheduleRun run = run_schedule(*a, g, lock_weights(g, key, geo.rows, geo.cols));
  EXPECT_EQ(run.y, reference_gemm(g)) << "the refused reload changed the key";
  EXPECT_TRUE(a->key_err()) << "key_err_o must be sticky";
}

TEST_P(KeyedArray, FlippingOneKeyBitOnUsedPeChangesOutputs) {
  const RtlGeometry geo = GetParam();
  std::mt19937 rng(5000 + geo.rows * 37 + geo.cols);
  for (int trial = 0; trial < std::min(3, trials_for(geo)); ++trial) {
    const Sizes s = random_sizes(rng, geo.rows, geo.cols);
    Gemm g = random_gemm(rng, s.m, s.k, s.n);
    const Key key = random_key(rng, geo.rows, geo.cols);
    // a PE that holds weight (q, j) with q < K, j < N; make its products nonzero
    const int r = std::uniform_int_distribution<int>(0, std::min(geo.rows, s.k) - 1)(rng);
    const int c = std::uniform_int_distribution<int>(0, std::min(geo.cols, s.n) - 1)(rng);
    if (g.w[r * g.n + c] == 0) g.w[r * g.n + c] = 5;
    if (g.x[r] == 0) g.x[r] = 3;  // X[0][r] meets W[r][c]
    Key wrong = key;
    wrong[r * geo.cols + c] ^= 1u;
    auto a = make(geo);
    load_key(*a, wrong);
    const ScheduleRun run = run_schedule(*a, g, lock_weights(g, key, geo.rows, geo.cols));
    // Independent expectation: the GEMM with every weight on PE (r, c) negated.
    Gemm flipped = g;
    for (int q = 0; q < g.k; ++q)
      for (int j = 0; j < g.n; ++j)
        if (q % geo.rows == r && j % geo.cols == c) flipped.w[q * g.n + j] = static_cast<int8_t>(-g.w[q * g.n + j]);
    EXPECT_NE(run.y, reference_gemm(g));
    EXPECT_EQ(run.y, reference_gemm(flipped));
  }
}

TEST_P(KeyedArray, ResetUnsealsAndClearsTheKey) {
  const RtlGeometry geo = GetParam();
  std::mt19937 rng(6000 + geo.rows * 37 + geo.cols);
  const Sizes s = random_sizes(rng, geo.rows, geo.cols);
  const Gemm g = random_gemm(rng, s.m, s.k, s.n);
  Key key = random_key(rng, geo.rows, geo.cols);
  key[0] = 1;  // not the all-zero key
  auto a = make(geo);
  load_key(*a, key);
  load_key(*a, key);
  ASSERT_TRUE(a->key_err());
  a->reset();
  EXPECT_FALSE(a->key_sealed());
  EXPECT_FALSE(a->key_err());
  // key register reset to 0: the array computes with unlocked weights as given
  const ScheduleRun run = run_schedule(*a, g, g.w);
  EXPECT_EQ(run.y, reference_gemm(g));
  // and accepts a new key once
  load_key(*a, key);
  EXPECT_TRUE(a->key_sealed());
  EXPECT_FALSE(a->key_err());
}

INSTANTIATE_TEST_SUITE_P(Geometries, KeyedArray, ::testing::ValuesIn(keyed_geometries()),
                         [](const ::testing::TestParamInfo<RtlGeometry>& info) { return name_of(info.param); });

// ---------------------------------------------------------------------------
// Plain array and keyed vs plain
// ---------------------------------------------------------------------------
TEST(PlainArray, PlainArrayGivesPlainGemm) {
  const RtlGeometry geo{4, 4, false};
  std::mt19937 rng(7000);
  for (int trial = 0; trial < 8; ++trial) {
    const Sizes s = random_sizes(rng, geo.rows, geo.cols);
    const Gemm g = random_gemm(rng, s.m, s.k, s.n);
    auto a = make(geo);
    const ScheduleRun run = run_schedule(*a, g, g.w);
    EXPECT_EQ(run.y, reference_gemm(g));
    EXPECT_EQ(run.valid_cycles, run.expected_cycles);
    EXPECT_TRUE(run.data_zero_when_invalid);
  }
}

TEST(PlainArray, KeyPortIsIgnoredAndFlagsStayZero) {
  const RtlGeometry geo{4, 4, false};
  std::mt19937 rng(7100);
  const Gemm g = random_gemm(rng, 5, 9, 7);
  auto a = make(geo);
  Key ones(40, 1);
  load_key(*a, ones);  // more than R*C bits
  EXPECT_FALSE(a->key_sealed());
  EXPECT_FALSE(a->key_err());
  const ScheduleRun run = run_schedule(*a, g, g.w);
  EXPECT_EQ(run.y, reference_gemm(g));
  EXPECT_EQ(run.valid_cycles, run.expected_cycles);
}

TEST(PlainArray, LockedWeightsOnPlainArrayGiveWrongResult) {
  const RtlGeometry geo{4, 4, false};
  std::mt19937 rng(7200);
  const Gemm g = random_gemm(rng, 6, 8, 8);
  Key key = random_key(rng, 4, 4);
  key[0] = 1;
  auto a = make(geo);
  const ScheduleRun run = run_schedule(*a, g, lock_weights(g, key, 4, 4));
  EXPECT_NE(run.y, reference_gemm(g));
}

TEST(KeyedVsPlain, KeyAddsZeroCycles) {
  std::mt19937 rng(7300);
  const Gemm g = random_gemm(rng, 7, 10, 9);
  auto keyed = make({4, 4, true});
  auto plain = make({4, 4, false});
  load_key(*keyed, random_key(rng, 4, 4));
  const ScheduleRun rk = run_schedule(*keyed, g, g.w);
  const ScheduleRun rp = run_schedule(*plain, g, g.w);
  EXPECT_EQ(rk.valid_cycles, rp.valid_cycles);
  EXPECT_EQ(rk.valid_cycles.back() + 1, closed_form_cycles(7, 10, 9, 4, 4));
}

TEST(LargeLayer, SixteenBySixteenRunsSixteenFoldsOf256RowsExactly) {
  // Speed is measured by bench/rtl_bench.cc, not here.
  auto a = make({16, 16, true});
  load_key(*a, Key(256, 0));  // all-zero key: unlocked weights as given
  std::mt19937 rng(7500);
  const Gemm g = random_gemm(rng, 256, 64, 64);  // 16 folds of 256 rows
  const ScheduleRun run = run_schedule(*a, g, g.w);
  EXPECT_EQ(run.y, reference_gemm(g));
}

// ---------------------------------------------------------------------------
// Registry and traces
// ---------------------------------------------------------------------------
TEST(Registry, ListsTheRequiredGeometries) {
  const auto geos = rtl_geometries();
  for (const RtlGeometry want : {RtlGeometry{1, 1, true}, RtlGeometry{2, 3, true}, RtlGeometry{4, 4, true},
                                 RtlGeometry{8, 8, true}, RtlGeometry{16, 16, true}, RtlGeometry{8, 4, true},
                                 RtlGeometry{4, 4, false}})
    EXPECT_NE(std::find(geos.begin(), geos.end(), want), geos.end()) << name_of(want);
  EXPECT_EQ(make_rtl_array(3, 5, true), nullptr);
}

// The copies verilated without --trace (RtlBackend's runs without a trace),
// whose PE grid is the simulation form (SimGrid = 1): random inputs on every
// port (key loads, weight writes, activations, resets) give the same outputs
// in every cycle as the traced km_pe model's, for every geometry built, and
// they refuse to trace.
TEST(Untraced, SameOutputsAsTracedEveryCycle) {
  int compared = 0;
  for (const auto& g : rtl_geometries()) {
    if (g.expanded) continue;  // no untraced copy of the expanded arrays
    const int R = g.rows, C = g.cols;
    SCOPED_TRACE(std::to_string(R) + "x" + std::to_string(C) + (g.keyed ? " keyed" : " plain"));
    auto traced = make_rtl_array(R, C, g.keyed);
    auto fast = make_rtl_array_untraced(R, C, g.keyed);
    ASSERT_TRUE(traced && fast);
    EXPECT_TRUE(traced->traceable());
    EXPECT_FALSE(fast->traceable()) << "no untraced copy was built (cmake/rtl.cmake NOTRACE SIMGRID)";
    EXPECT_THROW(fast->trace_open("untraced.vcd"), std::logic_error);
    std::mt19937 rng(1400 + static_cast<unsigned>(R * 64 + C));
    std::bernoulli_distribution coin(0.5), rare(0.002);
    std::uniform_int_distribution<int> byte(-128, 127), row(0, R - 1);
    keymac::ArrayInputs in;
    in.resize(keymac::Geometry{R, C});
    keymac::ArrayOutputs a, b;
    a.resize(keymac::Geometry{R, C});
    b.resize(keymac::Geometry{R, C});
    traced->reset();
    fast->reset();
    uint64_t busy = 0;
    for (int t = 0; t < 4000; ++t) {
      const bool rst = rare(rng);
      traced->set_rst_n(!rst);
      fast->set_rst_n(!rst);
      in.key_valid = t < R * C + 8 ? true : rare(rng);
      in.key_bit = coin(rng);
      in.w_valid = coin(rng);
      in.w_row = static_cast<uint32_t>(row(rng));
      in.w_bank = coin(rng);
      for (auto& w : in.w_data) w = static_cast<int8_t>(std::max(-127, byte(rng)));
      in.a_valid = coin(rng);
      in.a_bank = coin(rng);
      for (auto& x : in.a_data) x = static_cast<int8_t>(byte(rng));
      traced->set_inputs(in);
      fast->set_inputs(in);
      traced->get_outputs(a);
      fast->get_outputs(b);
      ASSERT_EQ(a, b) << "cycle " << t;
      busy += a.psum_valid;
      traced->step();
      fast->step();
    }
    EXPECT_GT(busy, 1000u) << "the comparison saw too few valid output rows";
    ++compared;
  }
  EXPECT_GT(compared, 0) << "no periodic or plain geometry in the registry";
  auto none = make_rtl_array_untraced(3, 5, true);  // not verilated at all
  EXPECT_EQ(none, nullptr);
}

TEST(Trace, VcdHoldsTheBoundaryPorts) {
  const std::string path = "km_array_trace_test.vcd";
  {
    auto a = make({2, 3, true});
    a->trace_open(path);
    load_key(*a, Key(6, 1));
    std::mt19937 rng(7400);
    run_schedule(*a, random_gemm(rng, 2, 2, 3), std::vector<int8_t>(6, 1));
    a->trace_close();
  }
  std::ifstream in(path);
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  for (const char* port : {"psum_valid_o", "psum_data_o", "key_sealed_o", "a_data_i", "w_data_i"})
    EXPECT_NE(ss.str().find(port), std::string::npos) << port;
}

}  // namespace
}  // namespace keymac::rtl
