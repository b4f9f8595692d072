// KmAccel's contexts and the registers added for the host driver (KEY_MODE,
// LAYER, NOW, CTRL.CLEAR_ERROR), in a platform built in the test. References
// are independent: a plain GEMM of the unlocked weights and the closed-form
// cycles of ARCHITECTURE.md section 8 (tests/sim/test_util.h).
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"
#include "sim/model/km_accel.h"
#include "sim/model/km_accel_driver.h"
#include "sim/model/km_accel_regs.h"
#include "tests/sim/one_accel_platform.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

struct Layer {
  GemmShape s;
  std::vector<int8_t> x, w, locked;
  std::vector<int32_t> plain;
  uint64_t cycles;
};

Layer random_layer(std::mt19937_64& rng, const Key& key) {
  Layer l;
  l.s = GemmShape{1 + int64_t(rng() % 30), 1 + int64_t(rng() % 30), 1 + int64_t(rng() % 30)};
  l.x = test::random_s8(size_t(l.s.m * l.s.k), rng);
  l.w = test::random_s8(size_t(l.s.k * l.s.n), rng, -127, 127);
  l.locked = l.w;
  lock_weights(l.locked.data(), l.s.k, l.s.n, key);
  l.plain = test::plain_gemm(l.x, l.w, l.s.m, l.s.k, l.s.n);
  l.cycles = uint64_t(test::closed_form_cycles(l.s.m, l.s.k, l.s.n, key.geometry().rows, key.geometry().cols));
  return l;
}

TEST(KmAccelContextTest, EachContextKeepsItsGeometryKeyAndCyclesAndSwapsOnlyWhileIdle) {
  const Geometry ga = Geometry::make(4, 4), gb = Geometry::make(6, 3);
  test::OneAccelPlatform vp("", ga);
  KmAccel& accel = vp.accel;
  auto other = std::make_unique<KmAccelContext>(gb, KmAccelConfig{}, "context b");

  std::mt19937_64 rng(5);
  const Key ka = Key::seeded_random(ga, 31), kb = Key::seeded_random(gb, 32);
  const Layer a1 = random_layer(rng, ka), a2 = random_layer(rng, ka), b1 = random_layer(rng, kb);
  bool finished = false;
  sc_core::sc_spawn([&] {
    KmAccelDriver d = vp.driver();
    auto run = [&](const Layer& l) {
      std::vector<int32_t> y(l.plain.size());
      d.run_layer(0x100, l.s, l.x.data(), l.locked.data(), y.data());
      return y;
    };
    SerialKeySource sa(ka), sb(kb);
    d.reset_and_load_key(&sa);
    EXPECT_EQ(run(a1), a1.plain);
    EXPECT_EQ(d.read64(km_reg::kNowLo), 16 + a1.cycles) << "NOW: key load + the layer";

    // Busy: the context cannot be exchanged.
    const uint64_t need = KmAccelDriver::layer_bytes(a1.s);
    d.submit(KmDescriptor{0x100, 0x100 + ((uint64_t(a1.s.m * a1.s.k) + 63) & ~63ull), 0x100 + need, a1.s});
    EXPECT_THROW(accel.exchange_context(other), Error);
    d.wait_idle();

    accel.exchange_context(other);  // now B; `other` holds A
    EXPECT_EQ(d.read32(km_reg::kGeometry), 6u | (3u << 16));
    EXPECT_EQ(d.read32(km_reg::kStatus) & km_reg::kStatusKeySealed, 0u) << "B has no key yet";
    EXPECT_EQ(d.read64(km_reg::kNowLo), 0u);
    d.reset_and_load_key(&sb);
    EXPECT_EQ(run(b1), b1.plain);
    EXPECT_EQ(d.read64(km_reg::kNowLo), 18 + b1.cycles);

    accel.exchange_context(other);  // back to A, its key still loaded
    EXPECT_EQ(d.read32(km_reg::kGeometry), 4u | (4u << 16));
    EXPECT_NE(d.read32(km_reg::kStatus) & km_reg::kStatusKeySealed, 0u);
    EXPECT_EQ(run(a2), a2.plain);
    EXPECT_EQ(d.read64(km_reg::kNowLo), 16 + 2 * a1.cycles + a2.cycles);
    EXPECT_EQ(d.read32(km_reg::kDoneCount), 3u);

    // KEY_MODE takes 0 or 1 only; RESET clears KEY_LOAD_CYCLES, not NOW.
    EXPECT_THROW(d.write32(km_reg::kKeyMode, 2), Error);
    const uint64_t now = d.read64(km_reg::kNowLo);
    d.reset_and_load_key(nullptr);
    EXPECT_EQ(d.read32(km_reg::kKeyLoadCycles), 0u);
    EXPECT_EQ(d.read64(km_reg::kNowLo), now);
    EXPECT_THROW(d.write32(km_reg::kNowLo, 0), Error) << "NOW is read-only";

    // CLEAR_ERROR clears STATUS.ERROR and leaves the key loaded.
    d.reset_and_load_key(&sa);
    EXPECT_THROW(d.run(KmDescriptor{0, 0, 0, GemmShape{0, 4, 4}}), Error);
    EXPECT_NE(d.read32(km_reg::kStatus) & km_reg::kStatusError, 0u);
    d.clear_error();
    EXPECT_EQ(d.read32(km_reg::kStatus) & (km_reg::kStatusError | km_reg::kStatusKeySealed),
              km_reg::kStatusKeySealed);
    EXPECT_EQ(run(a2), a2.plain);
    finished = true;
  });
  sc_core::sc_start();
  EXPECT_TRUE(finished);
}

TEST(KmAccelContextTest, ATraceNeedsTheTracersTenNanosecondClock) {
  KmAccelConfig c;
  c.trace.vcd_path = ::testing::TempDir() + "keymac_ctx_trace.vcd";
  c.trace.to = 10;
  c.clock_period = sc_core::sc_time(4, sc_core::SC_NS);
  EXPECT_THROW(KmAccelContext(Geometry::make(2, 2), c, "ctx"), Error);
  c.queue_depth = 0;
  c.trace.vcd_path.clear();
  EXPECT_THROW(KmAccelContext(Geometry::make(2, 2), c, "ctx"), Error);
}

}  // namespace
}  // namespace keymac
