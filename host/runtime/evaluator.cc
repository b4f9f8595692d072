#include "host/runtime/evaluator.h"

#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "base/thread_pool.h"

namespace keymac {

int argmax(const float* s, int64_t n) {
  int best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (s[i] > s[best]) best = static_cast<int>(i);
  return best;
}

std::vector<float> run_samples(Int8Runner& runner, const ImageSet& data, int64_t first, int64_t n,
                               std::vector<LayerRun>* stats) {
  return data.preprocessed() ? runner.run_input(data.input(first), n, stats) : runner.run(data.image(first), n, stats);
}

namespace {

// One evaluation on a backend instance made for it.
EvalResult evaluate_on(std::unique_ptr<ArrayBackend> backend, const EvalSpec& spec, const ImageSet& data,
                       int64_t batch, const std::atomic<bool>* stop, const std::function<void(int64_t)>& progress) {
  EvalResult r;
  r.label = spec.label;
  std::unique_ptr<SerialKeySource> src;
  if (spec.key) src = std::make_unique<SerialKeySource>(*spec.key);
  backend->reset(spec.key_source ? spec.key_source : src.get());
  Int8Runner runner(*spec.model, *backend, spec.key_source ? spec.key_source : src.get());
  const int64_t classes = spec.model->num_outputs;
  uint64_t h = 1469598103934665603ull;
  std::vector<LayerRun> runs;
  for (int64_t s = 0; s < data.count; s += batch) {
    if (stop && stop->load()) return r;
    const int64_t b = std::min(batch, data.count - s);
    runs.clear();
    auto scores = run_samples(runner, data, s, b, &runs);
    for (int64_t i = 0; i < b; ++i) {
      const int p = argmax(scores.data() + i * classes, classes);
      r.predictions.push_back(static_cast<uint8_t>(p));
      r.correct += p == data.labels[static_cast<size_t>(s + i)];
    }
    for (float v : scores) {
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      h = (h ^ bits) * 1099511628211ull;
    }
    if (r.first_batch.empty()) {
      r.first_batch = runs;
      r.layer_totals.resize(runs.size());
    }
    for (size_t i = 0; i < runs.size(); ++i) {
      r.layer_totals[i] += runs[i].stats;
      r.total_cycles += runs[i].stats.cycles;
    }
    r.images += b;
    if (progress) progress(b);
  }
  backend->finish();
  r.scores_hash = h;
  r.complete = true;
  return r;
}

}  // namespace

EvalResult evaluate(const EvalSpec& spec, const ImageSet& data, const BackendFactory& make, int64_t batch,
                    const std::atomic<bool>* stop, const std::function<void(int64_t)>& progress) {
  return evaluate_on(make(spec), spec, data, batch, stop, progress);
}

std::vector<EvalResult> evaluate_all(const std::vector<EvalSpec>& specs, const ImageSet& data,
                                     const BackendFactory& make, int64_t batch, int threads,
                                     const std::atomic<bool>* stop, const std::function<void(int64_t)>& progress) {
  std::vector<EvalResult> out(specs.size());
  if (specs.empty()) return out;
  // The first evaluation's backend also tells whether backends are thread-safe.
  auto first = make(specs[0]);
  if (threads <= 1 || specs.size() <= 1 || !first->thread_safe()) {
    out[0] = evaluate_on(std::move(first), specs[0], data, batch, stop, progress);
    for (size_t i = 1; i < specs.size(); ++i) out[i] = evaluate(specs[i], data, make, batch, stop, progress);
    return out;
  }
  std::mutex mu;
  size_t next = 0;
  std::exception_ptr err;
  std::function<void(int64_t)> safe_progress;
  if (progress) safe_progress = [&](int64_t n) { std::lock_guard<std::mutex> l(mu); progress(n); };
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::lock_guard<std::mutex> l(mu);
        if (next >= specs.size() || err) return;
        i = next++;
      }
      try {
        // Only the worker that takes index 0 touches `first`.
        out[i] = i == 0 ? evaluate_on(std::move(first), specs[0], data, batch, stop, safe_progress)
                        : evaluate(specs[i], data, make, batch, stop, safe_progress);
      } catch (...) {
        std::lock_guard<std::mutex> l(mu);
        if (!err) err = std::current_exception();
      }
    }
  };
  run_on_threads(threads, worker);  // base/thread_pool.h: a process thread limit never aborts
  if (err) std::rethrow_exception(err);
  return out;
}

}  // namespace keymac
