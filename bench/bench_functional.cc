// Functional backend throughput: one full evaluation (all 10,000 Fashion-MNIST
// test images) of each shipped model, int8, locked, right key, on one core.
// Run: build/bench_functional --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include "host/backend/functional_backend.h"
#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/int8_runner.h"

namespace keymac {
namespace {

void BM_FullTestSet(benchmark::State& state, const char* model) {
  const Graph g = import_onnx(std::string(KEYMAC_SOURCE_DIR "/models/") + model);
  const Geometry geo = Geometry::make(16, 16);
  const Key key = Key::seeded_random(geo, 1);
  const QuantModel locked = lock_model(quantize_on_training_set(g, kDefaultDataDir, 1000, Preprocess{}), key);
  const ImageSet test = load_idx(kDefaultDataDir, "t10k");
  const int64_t batch = state.range(0);
  int64_t macs = 0;
  for (auto _ : state) {
    FunctionalBackend be(geo);
    SerialKeySource src(key);
    be.reset(&src);
    Int8Runner runner(locked, be);
    std::vector<LayerRun> runs;
    for (int64_t s = 0; s < test.count; s += batch) {
      runs.clear();
      auto scores = runner.run(test.image(s), std::min(batch, test.count - s), &runs);
      benchmark::DoNotOptimize(scores.data());
      for (const auto& r : runs) macs += r.shape.macs();
    }
  }
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(test.count * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_FullTestSet, mlp, "fmnist_mlp.onnx")->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FullTestSet, cnn, "fmnist_cnn.onnx")->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_FullTestSet, resnet, "fmnist_resnet.onnx")->Arg(256)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace keymac

BENCHMARK_MAIN();
