// Inference-oracle throughput (docs/SECURITY.md): int8 forward passes per
// second of the shipped models on the functional backend, the cost unit of
// every key-search attack. Not a test: run by hand.
#include <benchmark/benchmark.h>

#include <string>

#include "host/data/idx_dataset.h"
#include "host/lock/package.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/security/oracle.h"

#ifndef KEYMAC_SOURCE_DIR
#define KEYMAC_SOURCE_DIR "."
#endif

namespace {

void oracle_bench(benchmark::State& st, const char* model, int threads) {
  using namespace keymac;
  const Geometry g = Geometry::make(16, 16);
  const Graph graph = import_onnx(std::string(KEYMAC_SOURCE_DIR) + "/models/" + model);
  const Key key = Key::seeded_random(g, 1);
  const QuantModel locked = lock_model(quantize_on_training_set(graph, kDefaultDataDir, 200, Preprocess{}), key);
  const ImageSet data = load_idx(kDefaultDataDir, "t10k", 1024);
  const InferenceOracle oracle(locked, g);
  const SerialKeySource src(key);
  for (auto _ : st) benchmark::DoNotOptimize(oracle.scores(data.pixels.data(), data.count, &src, 256, threads));
  st.SetItemsProcessed(st.iterations() * data.count);
  st.counters["forward_passes_per_s"] = benchmark::Counter(static_cast<double>(st.iterations() * data.count), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK_CAPTURE(oracle_bench, mlp_1thread, "fmnist_mlp.onnx", 1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(oracle_bench, mlp_2threads, "fmnist_mlp.onnx", 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(oracle_bench, cnn_1thread, "fmnist_cnn.onnx", 1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(oracle_bench, cnn_2threads, "fmnist_cnn.onnx", 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
