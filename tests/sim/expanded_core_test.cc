// The expanded key mode in the register-level array (ARCHITECTURE.md section
// 11.4-11.5): the key unit (KeyExpUnit) against the Trivium reference, and
// WsArrayCore / FastArray / Sequencer running layers locked with a master key.
// References: sim/core/trivium.cc (checked against eSTREAM's vectors), the
// spec's stream index written out again here, and a plain int64 GEMM.
#include <gtest/gtest.h>

#include <random>

#include "sim/core/expanded_key_source.h"
#include "sim/core/fold_engine.h"
#include "sim/core/memory_system.h"
#include "sim/core/sequencer.h"
#include "sim/core/trivium.h"
#include "sim/core/ws_array_core.h"
#include "tests/sim/step_run.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

Trivium::Iv80 iv_of(uint64_t nonce, int layer) {  // ARCHITECTURE.md 11.2, written out again
  Trivium::Iv80 iv{};
  for (int i = 0; i < 8; ++i) iv[size_t(i)] = uint8_t(nonce >> (8 * i));
  iv[8] = uint8_t(layer & 0xff);
  iv[9] = uint8_t(layer >> 8);
  return iv;
}

// W_locked[k][n] = (-1)^z_j W[k][n], j = (f*R + k%R)*C + n%C, f = (n/C)*ceil(K/R) + k/R.
std::vector<int8_t> lock_by_spec(const std::vector<int8_t>& w, int64_t K, int64_t N, Geometry g,
                                 const MasterKey& mk, uint64_t nonce, int layer) {
  const int64_t R = g.rows, C = g.cols, kt = (K + R - 1) / R, nt = (N + C - 1) / C;
  std::vector<uint8_t> z;
  Trivium(mk.bytes(), iv_of(nonce, layer)).generate(kt * nt * R * C, z);
  auto out = w;
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) {
      const int64_t f = (n / C) * kt + k / R;
      if (z[size_t((f * R + k % R) * C + n % C)]) out[size_t(k * N + n)] = int8_t(-w[size_t(k * N + n)]);
    }
  return out;
}

std::vector<uint8_t> master_key_bits(const MasterKey& mk) {
  std::vector<uint8_t> bits(80);
  for (int i = 0; i < 80; ++i) bits[size_t(i)] = uint8_t(mk.bit(i));
  return bits;
}

TEST(KeyExpUnitTest, KeystreamAfterTheWarmupIsTriviumAtParBitsPerConsumedCycle) {
  std::mt19937_64 rng(11);
  for (int par : {1, 3, 4, 8, 16, 17, 32, 64}) {
    const MasterKey mk = MasterKey::seeded_random(rng());
    const auto iv = iv_of(rng(), int(rng() % 70000 % 65536));
    KeyExpUnit u(par);
    for (int i = 0; i < 80; ++i) u.clock(true, mk.bit(i), false, iv, false);
    ASSERT_TRUE(u.sealed());
    u.clock(false, false, true, iv, false);  // start in cycle t
    const int W = (1152 + par - 1) / par;
    for (int c = 1; c < W; ++c) {
      ASSERT_FALSE(u.ready()) << "par " << par << " cycle " << c;
      u.clock(false, false, false, iv, true);  // next is ignored during the warm-up
    }
    ASSERT_TRUE(u.ready()) << "ready from cycle t + ceil(1152/Par)";
    Trivium ref(mk.bytes(), iv);
    std::vector<uint8_t> z(static_cast<size_t>(par));
    for (int row = 0; row < 6; ++row) {
      u.keystream(false, z.data());
      u.clock(false, false, false, iv, false);  // not consumed: same bits next cycle
      std::vector<uint8_t> z2(static_cast<size_t>(par));
      u.keystream(false, z2.data());
      ASSERT_EQ(z, z2);
      for (int p = 0; p < par; ++p) ASSERT_EQ(z[size_t(p)], ref.next_bit()) << "par " << par << " row " << row;
      u.clock(false, false, false, iv, true);
    }
  }
}

TEST(KeyExpUnitTest, StartBeforeTheKeyIsSealedIsIgnoredAndAReloadSetsTheError) {
  KeyExpUnit u(8);
  const Trivium::Iv80 iv{};
  u.clock(false, false, true, iv, false);
  for (int i = 0; i < 200; ++i) u.clock(false, false, false, iv, false);
  EXPECT_FALSE(u.ready());
  for (int i = 0; i < 80; ++i) u.clock(true, true, false, iv, false);
  EXPECT_TRUE(u.sealed());
  EXPECT_FALSE(u.err());
  u.clock(true, false, false, iv, false);
  EXPECT_TRUE(u.err());
}

using LayerRun = test::StepRun;

// The master key through the key port, then the layer with the key unit's
// warm-up (ceil(1152 / C) cycles, ARCHITECTURE.md 11.5) and IV, then 3 idle cycles.
LayerRun run_expanded(WsArrayCore& core, const GemmProblem& p, const LayerPlan& plan, const MasterKey& mk,
                 const Trivium::Iv80& iv, bool keep) {
  const Geometry g = p.geometry;
  Sequencer seq(p, plan);
  seq.set_key_warmup((1152 + g.cols - 1) / g.cols, iv);
  return test::run_step(core, seq, master_key_bits(mk), 3, keep);
}

MemoryConfig tight(Geometry g, double bw, uint32_t lat) {
  MemoryConfig m;
  m.ideal = false;
  m.dram_bytes_per_cycle = bw;
  m.dram_latency_cycles = lat;
  m.weight_sram_bytes = 2 * MemoryConfig::weight_tile_bytes(g);
  m.input_sram_bytes = 3 * MemoryConfig::input_tile_bytes(g);
  m.accum_sram_bytes = MemoryConfig::accum_tile_bytes(g);
  return m;
}

TEST(ExpandedCoreTest, RightMasterKeyGivesThePlainGemmInClosedFormPlusWarmupCycles) {
  std::mt19937_64 rng(12);
  for (int it = 0; it < 30; ++it) {
    const Geometry g = it == 0 ? Geometry::make(1, 1) : Geometry::make(1 + int(rng() % 16), 1 + int(rng() % 16));
    const GemmShape s{1 + int64_t(rng() % 30), 1 + int64_t(rng() % 60), 1 + int64_t(rng() % 60)};
    auto x = test::random_s8(size_t(s.m * s.k), rng, -128, 127, 0.2);
    auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
    const MasterKey mk = MasterKey::seeded_random(rng());
    const uint64_t nonce = rng();
    const int layer = int(rng() % 5);
    const auto locked = lock_by_spec(w, s.k, s.n, g, mk, nonce, layer);
    const MemoryConfig mem = it % 3 == 2 ? tight(g, 0.5 + double(rng() % 6), uint32_t(rng() % 30)) : MemoryConfig{};
    const LayerPlan plan = MemorySystem(g, mem).plan(s);
    WsArrayCore core(g, KeyMode::kExpanded);
    const LayerRun run = run_expanded(core, GemmProblem{s, x.data(), locked.data(), g}, plan, mk, iv_of(nonce, layer), false);
    ASSERT_EQ(run.y, test::plain_gemm(x, w, s.m, s.k, s.n)) << g.str() << " M=" << s.m << " K=" << s.k << " N=" << s.n;
    const int64_t warm = (1152 + g.cols - 1) / g.cols;
    ASSERT_EQ(run.last_valid + 1, warm + test::closed_form_cycles(s.m, s.k, s.n, g.rows, g.cols) + plan.stall_cycles);
  }
}

TEST(ExpandedCoreTest, OneWrongMasterKeyBitChangesTheResult) {
  std::mt19937_64 rng(13);
  const Geometry g = Geometry::make(4, 4);
  const GemmShape s{8, 24, 12};  // 6 x 3 = 18 folds
  auto x = test::random_s8(size_t(s.m * s.k), rng);
  auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
  const MasterKey mk = MasterKey::seeded_random(5);
  const auto locked = lock_by_spec(w, s.k, s.n, g, mk, 77, 0);
  const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(s);
  WsArrayCore core(g, KeyMode::kExpanded);
  const auto right = test::plain_gemm(x, w, s.m, s.k, s.n);
  for (int bit : {0, 41, 79}) {
    MasterKey wrong = mk;
    wrong.flip(bit);
    const LayerRun run = run_expanded(core, GemmProblem{s, x.data(), locked.data(), g}, plan, wrong, iv_of(77, 0), false);
    int differ = 0;
    for (size_t i = 0; i < right.size(); ++i) differ += run.y[i] != right[i];
    EXPECT_GT(differ, int(right.size()) / 2) << "master-key bit " << bit;
  }
}

TEST(ExpandedCoreTest, FastModeWithTheKeySourceEqualsStepModeEveryCycle) {
  std::mt19937_64 rng(14);
  for (int it = 0; it < 12; ++it) {
    const Geometry g = Geometry::make(1 + int(rng() % 9), 1 + int(rng() % 9));
    const GemmShape s{1 + int64_t(rng() % 20), 1 + int64_t(rng() % 30), 1 + int64_t(rng() % 30)};
    auto x = test::random_s8(size_t(s.m * s.k), rng);
    auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
    const MasterKey mk = MasterKey::seeded_random(rng());
    const uint64_t nonce = rng();
    const int layer = it;
    const MemoryConfig mem = it % 2 ? tight(g, 1.0 + double(rng() % 4), uint32_t(rng() % 20)) : MemoryConfig{};
    const LayerPlan plan = MemorySystem(g, mem).plan(s);
    GemmProblem p{s, x.data(), w.data(), g};
    WsArrayCore core(g, KeyMode::kExpanded);
    const LayerRun step = run_expanded(core, p, plan, mk, iv_of(nonce, layer), true);

    const ExpandedKeySource src(g, mk, nonce);
    FastArray fast(g);
    fast.set_key_source(&src, layer);
    Sequencer seq(p, plan);
    seq.set_key_warmup(int64_t(src.warmup_cycles()), iv_of(nonce, layer));
    std::vector<int32_t> y(size_t(s.m * s.n));
    for (int64_t f = 0; f < int64_t(plan.folds.size()); ++f) fast.run_fold(p, f, y.data());
    ASSERT_EQ(y, step.y) << g.str();
    ArrayOutputs out;
    for (int64_t t = 0; t < int64_t(step.outs.size()); ++t) {
      fast.outputs_at(seq, t, out);
      ASSERT_EQ(out, step.outs[size_t(t)]) << "cycle " << t << " of " << g.str();
    }
  }
}

}  // namespace
}  // namespace keymac
