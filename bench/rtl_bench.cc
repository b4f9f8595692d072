// Speed of the verilated RTL (RtlBackend: Sequencer-driven, one eval per
// clock edge) in simulated cycles per CPU second, on the same 256 x 256 x 256
// layer as bench/systemc_bench.cc's fold-level (BM_SystemcGemm) and
// cycle-level (BM_StepCoreGemm) rows, so the three can be compared; ideal
// memory, the same cycle count in all three (layer_cycles). docs/BENCH.md.
//
// One benchmark per square keyed geometry of 8x8, 16x16 and 32x32 that this
// binary has verilated (rtl_geometries(); 32x32 only with
// -DKEYMAC_RTL_BENCH_32=ON, cmake/rtl.cmake).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "host/backend/rtl_backend.h"
#include "rtl_models.h"

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
  state.counters["layer_cycles"] = static_cast<double>(cycles) / static_cast<double>(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  for (const int n : {8, 16, 32}) {
    bool built = false;
    for (const auto& geo : rtl::rtl_geometries())
      built = built || (geo.rows == n && geo.cols == n && geo.keyed && !geo.expanded);
    if (!built) continue;
    benchmark::RegisterBenchmark("BM_RtlGemm", BM_RtlGemm)
        ->ArgNames({"R", "C", "M", "K", "N"})
        ->Args({n, n, 256, 256, 256})
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
