// Cycle semantics of sim/core (no SystemC): the register-level array driven
// by the Sequencer, the fold-at-a-time fast mode, the memory timing plans.
#include <gtest/gtest.h>

#include <random>

#include "sim/core/error.h"
#include "sim/core/fold_engine.h"
#include "sim/core/keyed_gemm.h"
#include "sim/core/memory_system.h"
#include "sim/core/sequencer.h"
#include "sim/core/ws_array_core.h"
#include "sim/core/core_device.h"
#include "tests/sim/step_run.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

using test::StepRun;

// Key load through the port, then every layer cycle through WsArrayCore, then
// 3 idle cycles (no stray valid row).
StepRun run_step(WsArrayCore& core, const GemmProblem& p, const LayerPlan& plan, const Key* key,
                 bool keep_outs) {
  Sequencer seq(p, plan);
  return test::run_step(core, seq, key ? key->serial() : std::vector<uint8_t>{}, 3, keep_outs);
}

TEST(SequencerTest, IdealPlanIsTheSection8Schedule) {
  std::mt19937_64 rng(1);
  for (int it = 0; it < 200; ++it) {
    const Geometry g = Geometry::make(1 + int(rng() % 32), 1 + int(rng() % 32));
    const GemmShape s{1 + int64_t(rng() % 70), 1 + int64_t(rng() % 90), 1 + int64_t(rng() % 90)};
    const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(s);
    const int64_t P = std::max<int64_t>(s.m, g.rows);
    ASSERT_EQ(plan.cycles, test::closed_form_cycles(s.m, s.k, s.n, g.rows, g.cols));
    ASSERT_EQ(plan.stall_cycles, 0);
    for (size_t f = 0; f < plan.folds.size(); ++f) {
      ASSERT_EQ(plan.folds[f].w_start, int64_t(f) * P);
      ASSERT_EQ(plan.folds[f].acts.size(), 1u);
      ASSERT_EQ(plan.folds[f].acts[0].start, int64_t(f) * P + 1);
      ASSERT_EQ(plan.folds[f].acts[0].rows, s.m);
    }
  }
}

TEST(WsArrayCoreTest, OutputsLeaveRPlusCMinusOneCyclesAfterTheActivation) {
  const Geometry g = Geometry::make(3, 5);
  WsArrayCore core(g, false);
  ArrayInputs in;
  in.resize(g);
  ArrayOutputs out;
  // Weights all 1 in bank 0: rows 0..2 in cycles 0..2; one activation in cycle 10.
  for (int t = 0; t < 30; ++t) {
    in.idle();
    if (t < 3) {
      in.w_valid = true;
      in.w_row = uint32_t(t);
      for (auto& w : in.w_data) w = 1;
    }
    if (t == 10) {
      in.a_valid = true;
      in.a_data = {1, 2, 3};
    }
    core.step(in, out);
    EXPECT_EQ(out.psum_valid, t == 10 + 3 + 5 - 1) << "cycle " << t;
    if (out.psum_valid) {
      for (int c = 0; c < 5; ++c) EXPECT_EQ(out.psum_data[size_t(c)], 6);
    }
  }
}

TEST(WsArrayCoreTest, KeyRegisterSealsAfterRTimesCBitsAndRefusesAReload) {
  const Geometry g = Geometry::make(2, 3);
  WsArrayCore core(g, true);
  CoreDevice dev(core);
  CycleDriver drive(dev, g);
  drive.reset();
  const Key key = Key::seeded_random(g, 7);
  drive.set_observer([](const CycleView& v) {
    EXPECT_FALSE(v.out.key_sealed) << "key-load cycle " << v.index;
    return true;
  });
  drive.load_key(key.serial());
  ArrayOutputs out;
  core.outputs(out);
  EXPECT_TRUE(out.key_sealed);
  EXPECT_FALSE(out.key_err);
  const auto bits = core.key().bits();
  // Reload attempt: refused, sticky error, register unchanged.
  drive.set_observer(nullptr);
  drive.load_key(std::vector<uint8_t>(size_t(g.pes()), 1));
  drive.idle(1);
  core.outputs(out);
  EXPECT_TRUE(out.key_err);
  EXPECT_TRUE(out.key_sealed);
  EXPECT_EQ(core.key().bits(), bits);
  EXPECT_EQ(core.key().bits(), key.serial());
  core.reset();
  core.outputs(out);
  EXPECT_FALSE(out.key_sealed);
  EXPECT_FALSE(out.key_err);
}

TEST(WsArrayCoreTest, RandomLayersMatchKeyedGemmAndClosedFormCycles) {
  std::mt19937_64 rng(2);
  for (int it = 0; it < 60; ++it) {
    const Geometry g = it == 0 ? Geometry::make(1, 1)
                               : Geometry::make(1 + int(rng() % 32), 1 + int(rng() % 32));
    const GemmShape s{1 + int64_t(rng() % 40), 1 + int64_t(rng() % 70), 1 + int64_t(rng() % 70)};
    auto x = test::random_s8(size_t(s.m * s.k), rng, -128, 127, 0.2);
    auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
    const Key key = Key::seeded_random(g, rng());
    auto locked = w;
    lock_weights(locked.data(), s.k, s.n, key);
    const bool keyed = it % 4 != 3;
    WsArrayCore core(g, keyed);
    const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(s);
    GemmProblem p{s, x.data(), locked.data(), g};
    StepRun run = run_step(core, p, plan, keyed ? &key : nullptr, false);
    std::vector<int32_t> ref(size_t(s.m * s.n));
    keyed_gemm(x.data(), locked.data(), s, g, keyed ? &key : nullptr, ref.data());
    ASSERT_EQ(run.y, ref) << g.str() << " M=" << s.m << " K=" << s.k << " N=" << s.n;
    if (keyed) {  // the right key unlocks: plain GEMM of the unlocked weights
      ASSERT_EQ(run.y, test::plain_gemm(x, w, s.m, s.k, s.n));
    }
    ASSERT_EQ(run.last_valid + 1, test::closed_form_cycles(s.m, s.k, s.n, g.rows, g.cols));
  }
}

MemoryConfig tight_memory(double bw, uint32_t lat, Geometry g) {
  MemoryConfig m;
  m.ideal = false;
  m.dram_bytes_per_cycle = bw;
  m.dram_latency_cycles = lat;
  m.weight_sram_bytes = 2 * MemoryConfig::weight_tile_bytes(g);
  m.input_sram_bytes = 3 * MemoryConfig::input_tile_bytes(g);
  m.accum_sram_bytes = MemoryConfig::accum_tile_bytes(g);
  return m;
}

void expect_legal(const LayerPlan& plan, GemmShape s, Geometry g) {
  const int64_t P = std::max<int64_t>(s.m, g.rows);
  for (size_t f = 0; f < plan.folds.size(); ++f) {
    const auto& ft = plan.folds[f];
    int64_t row = 0;
    for (const auto& a : ft.acts) {
      ASSERT_EQ(a.row0, row);
      row += a.rows;
    }
    ASSERT_EQ(row, s.m);
    ASSERT_GE(ft.first_act(), ft.w_start + 1);
    if (f >= 1) {
      ASSERT_GE(ft.w_start, plan.folds[f - 1].w_start + P);
      ASSERT_GT(ft.first_act(), plan.folds[f - 1].last_act());
    }
    if (f >= 2) {
      ASSERT_GT(ft.w_start, plan.folds[f - 2].last_act());
    }
  }
}

TEST(WsArrayCoreTest, FastModeEqualsStepModeEveryCycleWithAndWithoutStalls) {
  std::mt19937_64 rng(3);
  for (int it = 0; it < 24; ++it) {
    const Geometry g = Geometry::make(1 + int(rng() % 12), 1 + int(rng() % 12));
    const GemmShape s{1 + int64_t(rng() % 50), 1 + int64_t(rng() % 40), 1 + int64_t(rng() % 40)};
    auto x = test::random_s8(size_t(s.m * s.k), rng);
    auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
    const Key key = Key::seeded_random(g, rng());
    const MemoryConfig mem = it % 2 ? tight_memory(0.25 + double(rng() % 8), uint32_t(rng() % 40), g)
                                    : MemoryConfig{};
    const LayerPlan plan = MemorySystem(g, mem).plan(s);
    expect_legal(plan, s, g);
    GemmProblem p{s, x.data(), w.data(), g};
    WsArrayCore core(g, true);
    StepRun step = run_step(core, p, plan, &key, true);

    FastArray fast(g);
    fast.set_key(core.key());
    Sequencer seq(p, plan);
    std::vector<int32_t> y(size_t(s.m * s.n));
    for (int64_t f = 0; f < int64_t(plan.folds.size()); ++f) fast.run_fold(p, f, y.data());
    ASSERT_EQ(y, step.y);
    ArrayOutputs out;
    for (int64_t t = 0; t < int64_t(step.outs.size()); ++t) {
      fast.outputs_at(seq, t, out);
      ASSERT_EQ(out, step.outs[size_t(t)]) << "cycle " << t << " of " << g.str();
    }
    ASSERT_EQ(step.last_valid + 1, plan.cycles);
    if (mem.ideal) {
      ASSERT_EQ(plan.stall_cycles, 0);
    }
  }
}

TEST(MemorySystemTest, StallsGrowAsBandwidthFallsAndNeverChangeResults) {
  const Geometry g = Geometry::make(8, 8);
  const GemmShape s{64, 100, 60};
  std::mt19937_64 rng(4);
  auto x = test::random_s8(size_t(s.m * s.k), rng);
  auto w = test::random_s8(size_t(s.k * s.n), rng, -127, 127);
  const Key key = Key::seeded_random(g, 9);
  std::vector<int32_t> ref(size_t(s.m * s.n));
  keyed_gemm(x.data(), w.data(), s, g, &key, ref.data());
  int64_t prev = 0;
  for (double bw : {64.0, 16.0, 4.0, 1.0, 0.25}) {
    const LayerPlan plan = MemorySystem(g, tight_memory(bw, 50, g)).plan(s);
    expect_legal(plan, s, g);
    EXPECT_GE(plan.stall_cycles, prev) << "bw " << bw;
    prev = plan.stall_cycles;
    WsArrayCore core(g, true);
    StepRun run = run_step(core, GemmProblem{s, x.data(), w.data(), g}, plan, &key, false);
    ASSERT_EQ(run.y, ref);
    ASSERT_EQ(run.last_valid + 1, plan.cycles);
    ASSERT_EQ(plan.cycles, test::closed_form_cycles(s.m, s.k, s.n, 8, 8) + plan.stall_cycles);
  }
  EXPECT_GT(prev, 10 * 64);  // at 1/4 byte per cycle the layer is memory bound
}

TEST(MemorySystemTest, BadParametersAreRefusedNamingTheParameter) {
  const Geometry g = Geometry::make(16, 16);
  auto msg = [&](MemoryConfig m) -> std::string {
    try {
      MemorySystem ms(g, m);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  MemoryConfig m;
  m.ideal = false;
  m.dram_bytes_per_cycle = 0;
  EXPECT_NE(msg(m).find("dram_bytes_per_cycle"), std::string::npos);
  m.dram_bytes_per_cycle = -3;
  EXPECT_NE(msg(m).find("dram_bytes_per_cycle"), std::string::npos);
  m.dram_bytes_per_cycle = 8;
  m.weight_sram_bytes = 100;
  EXPECT_NE(msg(m).find("weight_sram_kib"), std::string::npos);
  m.weight_sram_bytes = 1024;
  m.input_sram_bytes = 0;
  EXPECT_NE(msg(m).find("input_sram_kib"), std::string::npos);
  m.input_sram_bytes = 1024;
  m.accum_sram_bytes = 512;
  EXPECT_NE(msg(m).find("accum_sram_kib"), std::string::npos);
  m.accum_sram_bytes = 1024;
  EXPECT_EQ(msg(m), "");
}

}  // namespace
}  // namespace keymac
