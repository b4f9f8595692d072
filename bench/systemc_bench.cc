// Speed of the SystemC backend (fast mode: one SystemC wait per fold) and of
// the register-level single-step core, in simulated cycles per second and
// PE updates per second (cycles * R * C per second). docs/BENCH.md.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "host/backend/systemc_backend.h"
#include "sim/core/core_device.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/cycle_memory.h"
#include "sim/core/sequencer.h"
#include "sim/core/ws_array_core.h"

namespace {

using namespace keymac;

std::vector<int8_t> random_s8(size_t n, uint64_t seed, int lo, int hi) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// One M x K x N layer on an R x C array through SystemcBackend, ideal memory.
void BM_SystemcGemm(benchmark::State& state) {
  const int R = int(state.range(0)), C = int(state.range(1));
  const GemmShape s{state.range(2), state.range(3), state.range(4)};
  const Geometry g = Geometry::make(R, C);
  BackendOptions o;
  o.memory.ideal = state.range(5) == 0;
  SystemcBackend b(g, o);
  const Key key = Key::seeded_random(g, 1);
  SerialKeySource ks(key);
  b.reset(&ks);
  auto x = random_s8(size_t(s.m * s.k), 2, -128, 127);
  auto w = random_s8(size_t(s.k * s.n), 3, -127, 127);
  std::vector<int32_t> y(size_t(s.m * s.n));
  uint64_t cycles = 0, stalls = 0;
  for (auto _ : state) {
    const LayerStats st = b.run_gemm(GemmJob{"bench", s, x.data(), w.data()}, y.data());
    cycles += st.cycles;
    stalls = st.stall_cycles;
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["cycles/s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
  state.counters["PE-updates/s"] =
      benchmark::Counter(double(cycles) * R * C, benchmark::Counter::kIsRate);
  state.counters["layer_cycles"] = double(cycles) / double(state.iterations());
  state.counters["stall_cycles"] = double(stalls);
  state.counters["util"] = double(s.macs()) / (double(R) * C * double(cycles) / double(state.iterations()));
}
// args: R, C, M, K, N, real_memory
BENCHMARK(BM_SystemcGemm)->ArgNames({"R", "C", "M", "K", "N", "mem"})
    ->Args({8, 8, 256, 256, 256, 0})
    ->Args({16, 16, 256, 256, 256, 0})
    ->Args({32, 32, 256, 256, 256, 0})
    ->Args({64, 64, 256, 256, 256, 0})
    ->Args({32, 32, 256, 1024, 1024, 0})
    ->Args({64, 64, 256, 1024, 1024, 0})
    ->Args({16, 16, 256, 256, 256, 1})
    ->Unit(benchmark::kMillisecond);

// The 784-128-64-10 MLP, one batch of 256 images, on 16 x 16 (a full
// 10,000-image run is 40 such batches).
void BM_SystemcMlpBatch256(benchmark::State& state) {
  const Geometry g = Geometry::make(16, 16);
  SystemcBackend b(g, {});
  const Key key = Key::seeded_random(g, 1);
  SerialKeySource ks(key);
  b.reset(&ks);
  const int64_t dims[] = {784, 128, 64, 10};
  std::vector<std::vector<int8_t>> xs, ws;
  for (int l = 0; l < 3; ++l) {
    xs.push_back(random_s8(size_t(256 * dims[l]), 10 + l, 0, 127));
    ws.push_back(random_s8(size_t(dims[l] * dims[l + 1]), 20 + l, -127, 127));
  }
  std::vector<int32_t> y(256 * 128);
  uint64_t cycles = 0;
  for (auto _ : state)
    for (int l = 0; l < 3; ++l)
      cycles += b.run_gemm(GemmJob{"fc", GemmShape{256, dims[l], dims[l + 1]}, xs[size_t(l)].data(),
                                   ws[size_t(l)].data()},
                           y.data())
                    .cycles;
  state.counters["cycles/s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
  state.counters["batch_cycles"] = double(cycles) / double(state.iterations());
}
BENCHMARK(BM_SystemcMlpBatch256)->Unit(benchmark::kMillisecond);

// The register-level single-step mode (co-simulation reference): WsArrayCore
// stepped every cycle through the Sequencer on one M x K x N layer, ideal
// memory.
void step_core_layer(benchmark::State& state, int R, int C, GemmShape s) {
  const Geometry g = Geometry::make(R, C);
  auto x = random_s8(size_t(s.m * s.k), 2, -128, 127);
  auto w = random_s8(size_t(s.k * s.n), 3, -127, 127);
  const LayerPlan plan = MemorySystem(g, MemoryConfig{}).plan(s);
  WsArrayCore core(g, true);
  CoreDevice dev(core);
  CycleDriver drive(dev, g);
  uint64_t cycles = 0;
  for (auto _ : state) {
    Sequencer seq(GemmProblem{s, x.data(), w.data(), g}, plan);
    drive.reset();
    drive.run_layer(seq);
    cycles += uint64_t(seq.cycles());
  }
  state.counters["cycles/s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
  state.counters["PE-updates/s"] =
      benchmark::Counter(double(cycles) * R * C, benchmark::Counter::kIsRate);
  state.counters["layer_cycles"] = double(cycles) / double(state.iterations());
}
void BM_StepCore(benchmark::State& state) {
  const int R = int(state.range(0)), C = int(state.range(1));
  step_core_layer(state, R, C, GemmShape{64, 4 * R, 4 * C});
}
BENCHMARK(BM_StepCore)->ArgNames({"R", "C"})->Args({8, 8})->Args({16, 16})->Args({32, 32})
    ->Unit(benchmark::kMillisecond);

// Cycle-level on the RTL benchmark's layer, 256 x 256 x 256: the cycle count
// (layer_cycles) and the work are those of BM_SystemcGemm (fold-level) and
// bench/rtl_bench.cc's BM_RtlGemm (verilated RTL) at the same geometry.
void BM_StepCoreGemm(benchmark::State& state) {
  const int R = int(state.range(0));
  step_core_layer(state, R, R, GemmShape{256, 256, 256});
}
BENCHMARK(BM_StepCoreGemm)->ArgNames({"R=C"})->Arg(8)->Arg(16)->Arg(32)->Unit(benchmark::kMillisecond);

// Fold-level vs cycle-level timing through the backend (--timing fold|cycle),
// finite memory (defaults), one M x K x N layer (256^3 unless given; the
// 256 x 784 x 128 rows are the side-by-side layer of docs/BENCH.md).
void timing_layer(benchmark::State& state, int R, bool cycle, GemmShape s) {
  const Geometry g = Geometry::make(R, R);
  BackendOptions o;
  o.memory.ideal = false;
  o.timing = cycle ? "cycle" : "fold";
  SystemcBackend b(g, o);
  const Key key = Key::seeded_random(g, 1);
  SerialKeySource ks(key);
  b.reset(&ks);
  auto x = random_s8(size_t(s.m * s.k), 2, -128, 127);
  auto w = random_s8(size_t(s.k * s.n), 3, -127, 127);
  std::vector<int32_t> y(size_t(s.m * s.n));
  uint64_t cycles = 0;
  for (auto _ : state) {
    cycles += b.run_gemm(GemmJob{"bench", s, x.data(), w.data()}, y.data()).cycles;
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["cycles/s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
  state.counters["layer_cycles"] = double(cycles) / double(state.iterations());
}
void BM_SystemcTiming(benchmark::State& state) {
  timing_layer(state, int(state.range(0)), state.range(1) != 0, GemmShape{256, 256, 256});
}
void BM_SystemcTimingLayer(benchmark::State& state) {
  timing_layer(state, int(state.range(0)), state.range(1) != 0, GemmShape{state.range(2), state.range(3), state.range(4)});
}
BENCHMARK(BM_SystemcTiming)->ArgNames({"R=C", "cycle"})
    ->Args({8, 0})->Args({8, 1})->Args({16, 0})->Args({16, 1})->Args({32, 0})->Args({32, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SystemcTimingLayer)->ArgNames({"R=C", "cycle", "M", "K", "N"})
    ->Args({16, 0, 256, 784, 128})->Args({16, 1, 256, 784, 128})
    ->Unit(benchmark::kMillisecond);

// The timing plan alone: the closed-form planner vs the cycle-stepped memory system.
void BM_MemoryTiming(benchmark::State& state) {
  const int R = int(state.range(0));
  const Geometry g = Geometry::make(R, R);
  const GemmShape s{256, 256, 256};
  MemoryConfig c;
  c.ideal = false;
  uint64_t cycles = 0;
  for (auto _ : state) {
    const LayerPlan p = state.range(1) ? CycleMemorySystem(g, c).run(s) : MemorySystem(g, c).plan(s);
    cycles += uint64_t(p.cycles);
    benchmark::DoNotOptimize(p.folds.data());
  }
  state.counters["cycles/s"] = benchmark::Counter(double(cycles), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MemoryTiming)->ArgNames({"R=C", "cycle"})
    ->Args({8, 0})->Args({8, 1})->Args({16, 0})->Args({16, 1})->Args({32, 0})->Args({32, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

// libsystemc.so defines main() and calls sc_main.
extern "C" int sc_main(int argc, char* argv[]) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
