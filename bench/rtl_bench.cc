// Speed of the verilated RTL (RtlBackend: Sequencer-driven, one eval per
// clock edge) in simulated cycles per second, on the same layers as
// bench/systemc_bench.cc so the two can be compared. docs/BENCH.md.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "host/backend/rtl_backend.h"

namespace {

using namespace keymac;

void BM_RtlGemm(benchmark::State& state) {
  const Geometry g = Geometry::make(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const GemmShape s{state.range(2), state.range(3), state.range(4)};
  RtlBackend b(g, BackendOptions{});
  const Key key = Key::seeded_random(g, 1);
  SerialKeySource ks(key);
  b.reset(&ks);
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<int> d(-127, 127);
  std::vector<int8_t> x(static_cast<size_t>(s.m * s.k)), w(static_cast<size_t>(s.k * s.n));
  for (auto& v : x) v = static_cast<int8_t>(d(rng));
  for (auto& v : w) v = static_cast<int8_t>(d(rng));
  std::vector<int32_t> y(static_cast<size_t>(s.m * s.n));
  uint64_t cycles = 0;
  for (auto _ : state) {
    cycles += b.run_gemm(GemmJob{"bench", s, x.data(), w.data()}, y.data()).cycles;
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["cycles/s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
  state.counters["PE-updates/s"] = benchmark::Counter(static_cast<double>(cycles) * g.pes(), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_RtlGemm)->Args({8, 8, 256, 256, 256})->Args({16, 16, 256, 256, 256})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
