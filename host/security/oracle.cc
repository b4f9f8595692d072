#include "host/security/oracle.h"

#include <algorithm>
#include <thread>

#include "host/backend/array_backend.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/error.h"

namespace keymac {

InferenceOracle::InferenceOracle(const QuantModel& model, Geometry g, std::string backend, BackendOptions options)
    : model_(model), g_(g), backend_(std::move(backend)), options_(std::move(options)) {}

std::vector<float> InferenceOracle::scores(const uint8_t* pixels, int64_t count, const KeySource* key,
                                           int64_t batch, int threads) const {
  if (count < 0 || batch < 1) throw Error("oracle: bad image count or batch");
  const int64_t in_n = numel(model_.input_shape), classes = model_.num_outputs;
  std::vector<float> out(static_cast<size_t>(count * classes));
  const int64_t nb = (count + batch - 1) / batch;
  // With several threads, smaller batches so that every thread has work.
  if (threads > 1 && nb < threads) batch = std::max<int64_t>(1, (count + threads - 1) / threads);
  const int64_t nbt = (count + batch - 1) / batch;
  std::atomic<int64_t> next{0};
  auto work = [&] {
    auto be = make_backend(backend_, g_, options_);
    be->reset(key);
    Int8Runner runner(model_, *be);
    for (int64_t bi; (bi = next++) < nbt;) {
      const int64_t s = bi * batch, b = std::min(batch, count - s);
      auto sc = runner.run(pixels + s * in_n, b);
      std::copy(sc.begin(), sc.end(), out.begin() + s * classes);
      passes_ += b;
    }
  };
  threads = static_cast<int>(std::clamp<int64_t>(threads, 1, nbt));
  if (threads == 1 || !make_backend(backend_, g_, options_)->thread_safe()) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& th : pool) th.join();
  }
  return out;
}

std::vector<uint8_t> InferenceOracle::labels(const uint8_t* pixels, int64_t count, const KeySource* key,
                                             int64_t batch) const {
  const auto sc = scores(pixels, count, key, batch);
  std::vector<uint8_t> l(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    l[static_cast<size_t>(i)] = static_cast<uint8_t>(argmax(sc.data() + i * model_.num_outputs, model_.num_outputs));
  return l;
}

double InferenceOracle::accuracy(const ImageSet& data, const KeySource* key, int threads,
                                 const std::atomic<bool>* stop, int64_t* done) const {
  const int64_t in_n = numel(model_.input_shape);
  if (data.rows * data.cols != in_n) throw Error("oracle: images do not match the model's input");
  if (static_cast<int64_t>(data.labels.size()) < data.count) throw Error("oracle: accuracy needs labelled images");
  const int64_t batch = 256;
  const int64_t nb = (data.count + batch - 1) / batch;
  threads = static_cast<int>(std::clamp<int64_t>(threads, 1, std::max<int64_t>(1, nb)));
  std::vector<int64_t> correct(static_cast<size_t>(threads), 0), ran(static_cast<size_t>(threads), 0);
  std::atomic<int64_t> next{0};
  auto work = [&](int t) {
    auto be = make_backend(backend_, g_, options_);
    be->reset(key);
    Int8Runner runner(model_, *be);
    for (;;) {
      if (stop && stop->load()) return;
      const int64_t bi = next++;
      if (bi >= nb) return;
      const int64_t s = bi * batch, b = std::min(batch, data.count - s);
      auto sc = run_samples(runner, data, s, b);
      for (int64_t i = 0; i < b; ++i)
        correct[static_cast<size_t>(t)] +=
            argmax(sc.data() + i * model_.num_outputs, model_.num_outputs) == data.labels[static_cast<size_t>(s + i)];
      ran[static_cast<size_t>(t)] += b;
      passes_ += b;
    }
  };
  if (threads == 1 || make_backend(backend_, g_, options_)->thread_safe() == false) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  int64_t c = 0, r = 0;
  for (size_t t = 0; t < correct.size(); ++t) c += correct[t], r += ran[t];
  if (done) *done = r;
  return r ? 100.0 * static_cast<double>(c) / static_cast<double>(r) : 0.0;
}

CandidateEvaluator::CandidateEvaluator(const QuantModel& locked, Geometry g, int threads)
    : oracle_(locked, g), threads_(std::max(1, threads)) {}

double CandidateEvaluator::accuracy(const Key* candidate, const ImageSet& data) const {
  std::unique_ptr<SerialKeySource> src;
  if (candidate) src = std::make_unique<SerialKeySource>(*candidate);
  return oracle_.accuracy(data, src.get(), threads_);
}

std::vector<float> CandidateEvaluator::scores(const Key* candidate, const uint8_t* pixels, int64_t count) const {
  std::unique_ptr<SerialKeySource> src;
  if (candidate) src = std::make_unique<SerialKeySource>(*candidate);
  return oracle_.scores(pixels, count, src.get(), 256, threads_);
}

}  // namespace keymac
