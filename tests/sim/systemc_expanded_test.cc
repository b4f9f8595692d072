// The SystemC backend in the expanded key mode (ARCHITECTURE.md section 11)
// against independent references: a plain GEMM of the unlocked weights, the
// functional backend, and the closed-form cycles plus ceil(1152/C) per layer.
#include <gtest/gtest.h>

#include <random>

#include "host/backend/array_backend.h"
#include "host/backend/systemc_backend.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

void check_expanded(const std::string& timing, bool tight_memory, uint64_t seed, int iterations) {
  std::mt19937_64 rng(seed);
  for (int it = 0; it < iterations; ++it) {
    const Geometry g = it == 0 ? Geometry::make(1, 1) : Geometry::make(1 + int(rng() % 20), 1 + int(rng() % 20));
    BackendOptions opt;
    opt.timing = timing;
    if (tight_memory) {
      opt.memory.ideal = false;
      opt.memory.dram_bytes_per_cycle = 2;
      opt.memory.dram_latency_cycles = 30;
    }
    const ExpandedKeySource key(g, MasterKey::seeded_random(rng()), rng());
    auto sc = make_backend("systemc", g, opt);
    auto fn = make_backend("functional", g, BackendOptions{});
    sc->reset(&key);
    fn->reset(&key);
    for (int64_t layer = 0; layer < 3; ++layer) {
      const GemmShape s{1 + int64_t(rng() % 40), 1 + int64_t(rng() % 60), 1 + int64_t(rng() % 60)};
      auto x = test::random_s8(size_t(s.m * s.k), rng, -128, 127, 0.3);
      auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
      auto locked = w;
      lock_weights(locked.data(), s.k, s.n, key, layer);
      std::vector<int32_t> ys(size_t(s.m * s.n)), yf(size_t(s.m * s.n));
      const LayerStats st = sc->run_gemm(GemmJob{"l", s, x.data(), locked.data(), layer}, ys.data());
      const LayerStats sf = fn->run_gemm(GemmJob{"l", s, x.data(), locked.data(), layer}, yf.data());
      ASSERT_EQ(ys, test::plain_gemm(x, w, s.m, s.k, s.n)) << timing << " " << g.str() << " layer " << layer;
      ASSERT_EQ(ys, yf);
      const uint64_t warm = uint64_t((1152 + g.cols - 1) / g.cols);
      ASSERT_EQ(st.cycles - st.stall_cycles, uint64_t(test::closed_form_cycles(s.m, s.k, s.n, g.rows, g.cols)) + warm);
      if (!tight_memory) {
        ASSERT_EQ(st.cycles, sf.cycles) << "cycles equal to the functional backend's";
      }
    }
    auto* scb = dynamic_cast<SystemcBackend*>(sc.get());
    ASSERT_NE(scb, nullptr);
    EXPECT_EQ(scb->key_load_cycles(), 80u) << "the master key loads in 80 cycles";
    EXPECT_TRUE(scb->key_sealed());
    EXPECT_FALSE(scb->key_error());
  }
}

TEST(SystemcExpandedTest, FoldTimingRightMasterKeyGivesThePlainGemmAndClosedFormPlusWarmup) {
  check_expanded("fold", false, 21, 20);
}

TEST(SystemcExpandedTest, CycleTimingRegisterLevelArrayGivesThePlainGemmAndClosedFormPlusWarmup) {
  check_expanded("cycle", false, 22, 8);
}

TEST(SystemcExpandedTest, MemoryStallsMoveCyclesButNeverKeyBits) {
  check_expanded("fold", true, 23, 6);
  check_expanded("cycle", true, 24, 4);
}

TEST(SystemcExpandedTest, OneWrongMasterKeyBitChangesMostOutputs) {
  std::mt19937_64 rng(25);
  const Geometry g = Geometry::make(8, 8);
  const MasterKey mk = MasterKey::seeded_random(3);
  MasterKey wrong_mk = mk;
  wrong_mk.flip(17);
  const ExpandedKeySource right(g, mk, 99), wrong(g, wrong_mk, 99);
  const GemmShape s{16, 64, 32};
  auto x = test::random_s8(size_t(s.m * s.k), rng);
  auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
  auto locked = w;
  lock_weights(locked.data(), s.k, s.n, right, 0);
  auto sc = make_backend("systemc", g, BackendOptions{});
  sc->reset(&wrong);
  std::vector<int32_t> y(size_t(s.m * s.n));
  sc->run_gemm(GemmJob{"l", s, x.data(), locked.data(), 0}, y.data());
  const auto ref = test::plain_gemm(x, w, s.m, s.k, s.n);
  int differ = 0;
  for (size_t i = 0; i < y.size(); ++i) differ += y[i] != ref[i];
  EXPECT_GT(differ, int(y.size()) * 9 / 10);
}

}  // namespace
}  // namespace keymac
