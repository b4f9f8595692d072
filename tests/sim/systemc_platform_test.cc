// The CLI's systemc backend is a host driver over KmAccel: one layer run
// through `make_backend("systemc")` and the same layer run on a KmAccel
// platform built by hand in the same simulation (router, memory, a host
// thread with KmAccelDriver) must both give the plain GEMM of the unlocked
// weights, the functional backend's result, and the closed-form cycles of
// ARCHITECTURE.md section 8 (+ ceil(1152 / C) warm-up with an expanded key);
// the hand-built command takes exactly cycles x clock period of SystemC time.
// References are independent of both: tests/sim/test_util.h.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "host/backend/array_backend.h"
#include "host/backend/systemc_backend.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/keyed_gemm.h"
#include "sim/model/km_accel.h"
#include "sim/model/km_accel_driver.h"
#include "sim/model/km_accel_regs.h"
#include "tests/sim/one_accel_platform.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

using sc_core::sc_time;
using sc_core::SC_NS;

struct Case {
  Geometry g;
  bool expanded;
  bool cycle_level;
  GemmShape s;
  int64_t layer;
  uint64_t seed;
};

void check_one_layer(const Case& c) {
  std::mt19937_64 rng(c.seed);
  std::unique_ptr<KeySource> key;
  if (c.expanded)
    key = std::make_unique<ExpandedKeySource>(c.g, MasterKey::seeded_random(rng()), rng());
  else
    key = std::make_unique<SerialKeySource>(Key::seeded_random(c.g, rng()));
  const GemmShape s = c.s;
  const auto x = test::random_s8(size_t(s.m * s.k), rng, -128, 127, 0.2);
  const auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
  auto locked = w;
  lock_weights(locked.data(), s.k, s.n, *key, c.layer);
  const auto plain = test::plain_gemm(x, w, s.m, s.k, s.n);
  const uint64_t warm = c.expanded ? uint64_t((1152 + c.g.cols - 1) / c.g.cols) : 0;
  const uint64_t closed = uint64_t(test::closed_form_cycles(s.m, s.k, s.n, c.g.rows, c.g.cols)) + warm;

  // The hand-built platform, elaborated before the backend's platform (both
  // end elaboration at the backend's first use).
  const sc_time period(7, SC_NS);
  KmAccelConfig cfg;
  cfg.clock_period = period;
  cfg.cycle_level = c.cycle_level;
  test::OneAccelPlatform vp("vp_", c.g, cfg);
  const KmAccel& accel = vp.accel;

  // The CLI's backend.
  BackendOptions opt;
  opt.timing = c.cycle_level ? "cycle" : "fold";
  auto be = make_backend("systemc", c.g, opt);
  be->reset(key.get());
  std::vector<int32_t> yb(plain.size());
  const LayerStats sb = be->run_gemm(GemmJob{"l", s, x.data(), locked.data(), c.layer}, yb.data());

  // The functional backend.
  auto fn = make_backend("functional", c.g, BackendOptions{});
  fn->reset(key.get());
  std::vector<int32_t> yf(plain.size());
  const LayerStats sf = fn->run_gemm(GemmJob{"l", s, x.data(), locked.data(), c.layer}, yf.data());

  // The same layer on the hand-built platform.
  std::vector<int32_t> yh(plain.size());
  uint64_t last_cycles = 0, key_load = 0;
  bool ran = false;
  sc_core::sc_spawn([&] {
    KmAccelDriver d = vp.driver();
    d.reset_and_load_key(key.get());
    key_load = d.read32(km_reg::kKeyLoadCycles);
    d.run_layer(0x1000, s, x.data(), locked.data(), yh.data(), uint32_t(c.layer));
    last_cycles = d.read64(km_reg::kLastCyclesLo);
    ran = true;
  });
  sc_core::sc_start();
  ASSERT_TRUE(ran);

  EXPECT_EQ(yf, plain) << "functional backend";
  EXPECT_EQ(yb, plain) << "systemc backend";
  EXPECT_EQ(yh, plain) << "hand-built KmAccel platform";
  EXPECT_EQ(sf.cycles, closed) << "functional backend: closed form";
  EXPECT_EQ(sb.cycles, closed) << "systemc backend: closed form" << (c.expanded ? " + warm-up" : "");
  EXPECT_EQ(sb.stall_cycles, 0u);
  EXPECT_EQ(last_cycles, closed) << "hand-built: LAST_CYCLES";
  ASSERT_EQ(accel.history().size(), 1u);
  EXPECT_EQ(accel.history()[0].cycles, closed);
  EXPECT_EQ(accel.history()[0].end - accel.history()[0].start, double(closed) * period);
  const uint64_t key_bits = c.expanded ? 80u : uint64_t(c.g.pes());
  EXPECT_EQ(key_load, key_bits);
  auto* scb = dynamic_cast<SystemcBackend*>(be.get());
  ASSERT_NE(scb, nullptr);
  EXPECT_EQ(scb->key_load_cycles(), key_bits);
  EXPECT_TRUE(scb->key_sealed());
  EXPECT_EQ(scb->total_cycles(), key_bits + closed) << "NOW: key load + the layer";
}

TEST(SystemcPlatformTest, PeriodicKeyFoldLevelBackendAndHandBuiltPlatformGivePlainGemmAndClosedForm) {
  check_one_layer(Case{Geometry::make(8, 8), false, false, GemmShape{37, 50, 29}, 0, 11});
}

TEST(SystemcPlatformTest, ExpandedKeyCycleLevelBackendAndHandBuiltPlatformGivePlainGemmAndClosedFormPlusWarmup) {
  check_one_layer(Case{Geometry::make(5, 12), true, true, GemmShape{23, 41, 30}, 3, 12});
}

TEST(SystemcPlatformTest, ExpandedKeyFoldLevelBackendAndHandBuiltPlatformGivePlainGemmAndClosedFormPlusWarmup) {
  check_one_layer(Case{Geometry::make(6, 4), true, false, GemmShape{19, 33, 17}, 7, 13});
}

}  // namespace
}  // namespace keymac
