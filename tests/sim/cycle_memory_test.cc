// The fold-level planner (MemorySystem::plan) against the cycle-stepped
// memory system (CycleMemorySystem): every fold's first weight write, every
// activation segment, the layer's cycles, stalls and DRAM bytes must be equal
// on random shapes, geometries, SRAM sizes, bandwidths and latencies.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "sim/core/cycle_memory.h"
#include "sim/core/memory_system.h"
#include "tests/sim/test_util.h"

namespace keymac {
namespace {

std::string describe(Geometry g, GemmShape s, const MemoryConfig& c) {
  std::ostringstream o;
  o << g.str() << " M=" << s.m << " K=" << s.k << " N=" << s.n << " ideal=" << c.ideal
    << " bw=" << c.dram_bytes_per_cycle << " lat=" << c.dram_latency_cycles << " wsram=" << c.weight_sram_bytes
    << " isram=" << c.input_sram_bytes << " asram=" << c.accum_sram_bytes;
  return o.str();
}

void expect_same(const LayerPlan& a, const LayerPlan& b, const std::string& what) {
  ASSERT_EQ(a.folds.size(), b.folds.size()) << what;
  for (size_t f = 0; f < a.folds.size(); ++f) {
    ASSERT_EQ(a.folds[f].w_start, b.folds[f].w_start) << what << " fold " << f;
    ASSERT_EQ(a.folds[f].acts.size(), b.folds[f].acts.size()) << what << " fold " << f;
    for (size_t i = 0; i < a.folds[f].acts.size(); ++i) {
      ASSERT_EQ(a.folds[f].acts[i].start, b.folds[f].acts[i].start) << what << " fold " << f << " seg " << i;
      ASSERT_EQ(a.folds[f].acts[i].row0, b.folds[f].acts[i].row0) << what << " fold " << f << " seg " << i;
      ASSERT_EQ(a.folds[f].acts[i].rows, b.folds[f].acts[i].rows) << what << " fold " << f << " seg " << i;
    }
  }
  ASSERT_EQ(a.cycles, b.cycles) << what;
  ASSERT_EQ(a.stall_cycles, b.stall_cycles) << what;
  ASSERT_EQ(a.counters.at("dram.read_bytes"), b.counters.at("dram.read_bytes")) << what;
  ASSERT_EQ(a.counters.at("dram.write_bytes"), b.counters.at("dram.write_bytes")) << what;
}

TEST(CycleMemoryTest, PlannerEqualsCycleSteppedMemoryOn300RandomConfigurations) {
  std::mt19937_64 rng(31);
  const double bws[] = {0.25, 0.5, 1, 2, 3.5, 8, 16, 64, 1000};
  int stalled = 0;
  for (int it = 0; it < 300; ++it) {
    const Geometry g = Geometry::make(1 + int(rng() % 20), 1 + int(rng() % 20));
    const GemmShape s{1 + int64_t(rng() % 90), 1 + int64_t(rng() % 90), 1 + int64_t(rng() % 90)};
    MemoryConfig c;
    c.ideal = rng() % 10 == 0;
    c.dram_bytes_per_cycle = bws[rng() % 9];
    c.dram_latency_cycles = uint32_t(rng() % 4 == 0 ? 0 : rng() % 300);
    const uint64_t wt = uint64_t(g.rows) * g.cols, it_ = uint64_t(g.rows) * g.rows, at = 4 * wt;
    c.weight_sram_bytes = wt * (1 + rng() % 5) + rng() % wt;
    c.input_sram_bytes = rng() % 3 == 0 ? 64 * 1024 : it_ * (1 + rng() % 6) + rng() % it_;
    c.accum_sram_bytes = rng() % 3 == 0 ? 64 * 1024 : at * (1 + rng() % 4) + rng() % at;
    const std::string what = describe(g, s, c);
    const LayerPlan planned = MemorySystem(g, c).plan(s);
    const LayerPlan stepped = CycleMemorySystem(g, c).run(s);
    expect_same(planned, stepped, what);
    if (c.ideal) {
      ASSERT_EQ(stepped.cycles, test::closed_form_cycles(s.m, s.k, s.n, g.rows, g.cols)) << what;
    }
    stalled += stepped.stall_cycles > 0;
  }
  EXPECT_GT(stalled, 150);  // most configurations do stall: the comparison is not vacuous
}

TEST(CycleMemoryTest, IdealMemoryStepsTheClosedFormSchedule) {
  const Geometry g = Geometry::make(4, 3);
  const GemmShape s{10, 9, 7};  // Kt = 3, Nt = 3, P = 10
  const LayerPlan p = CycleMemorySystem(g, MemoryConfig{}).run(s);
  ASSERT_EQ(p.folds.size(), 9u);
  for (size_t f = 0; f < 9; ++f) {
    EXPECT_EQ(p.folds[f].w_start, int64_t(f) * 10);
    ASSERT_EQ(p.folds[f].acts.size(), 1u);
    EXPECT_EQ(p.folds[f].acts[0].start, int64_t(f) * 10 + 1);
  }
  EXPECT_EQ(p.cycles, test::closed_form_cycles(10, 9, 7, 4, 3));
}

}  // namespace
}  // namespace keymac
