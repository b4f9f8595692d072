// Evaluates a QuantModel over a labelled image set on a fresh backend
// instance: one reset with the given key (nullptr: plain array), then the
// images in batches. Stops between batches when `stop` becomes true and
// reports how many images finished (complete = false).
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/backend/array_backend.h"
#include "host/data/idx_dataset.h"
#include "host/quant/quant_model.h"
#include "host/runtime/int8_runner.h"

namespace keymac {

struct EvalSpec {
  std::string label;
  const QuantModel* model = nullptr;
  const Key* key = nullptr;  // nullptr: plain array
  // Any key mode (ARCHITECTURE.md 11); used instead of `key` when set.
  const KeySource* key_source = nullptr;
};

struct EvalResult {
  std::string label;
  int64_t images = 0;
  int64_t correct = 0;
  bool complete = false;
  std::vector<uint8_t> predictions;
  uint64_t scores_hash = 0;             // FNV-1a over all score bits, for identity checks
  std::vector<LayerRun> first_batch;    // per Gemm/Conv layer, one full batch
  std::vector<LayerStats> layer_totals; // per Gemm/Conv layer, over all images
  uint64_t total_cycles = 0;
  double accuracy() const { return images ? 100.0 * static_cast<double>(correct) / static_cast<double>(images) : 0.0; }
};

// Makes the backend instance for one evaluation (so e.g. only one of them traces).
using BackendFactory = std::function<std::unique_ptr<ArrayBackend>(const EvalSpec&)>;

EvalResult evaluate(const EvalSpec& spec, const ImageSet& data, const BackendFactory& make, int64_t batch,
                    const std::atomic<bool>* stop, const std::function<void(int64_t)>& progress = nullptr);

// Runs several evaluations, in parallel on `threads` threads when the backend
// is thread-safe; results in spec order.
std::vector<EvalResult> evaluate_all(const std::vector<EvalSpec>& specs, const ImageSet& data,
                                     const BackendFactory& make, int64_t batch, int threads,
                                     const std::atomic<bool>* stop,
                                     const std::function<void(int64_t)>& progress = nullptr);

int argmax(const float* scores, int64_t n);

// Scores of samples [first, first + n) of `data` (raw pixels through the model's
// Preprocess, or a dataset's preprocessed floats).
std::vector<float> run_samples(Int8Runner& runner, const ImageSet& data, int64_t first, int64_t n,
                               std::vector<LayerRun>* stats = nullptr);

}  // namespace keymac
