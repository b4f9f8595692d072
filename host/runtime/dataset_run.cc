#include "host/runtime/dataset_run.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "host/data/dataset.h"
#include "host/runtime/infer_job.h"

namespace keymac {

namespace {

// A package's recorded preprocessing (lock --dataset: per channel; otherwise
// Fashion-MNIST's pixels / 255 with one mean and std).
Preprocessing recorded_preprocessing(const QuantModel& m) {
  Preprocessing r;
  if (!m.dataset_mean.empty()) {
    r.scale = m.dataset_scale, r.mean = m.dataset_mean, r.std = m.dataset_std;
  } else {
    r.scale = 1.0 / 255.0, r.mean = {m.preprocess.mean}, r.std = {m.preprocess.std};
  }
  return r;
}

// Channel c of a one-value or per-channel list.
double at(const std::vector<double>& v, size_t c) { return v.size() == 1 ? v[0] : v[c]; }

bool close(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(1.0, std::fabs(b)); }

}  // namespace

QuantModel quantize_for_run(const Graph& g, const RunConfig& cfg) {
  return quantize_on_dataset(g, cfg.calib_dataset.empty() ? cfg.dataset : cfg.calib_dataset, cfg.calib,
                             cfg.dataset_preprocess_json, cfg.dataset_scale, cfg.dataset_mean, cfg.dataset_std);
}

DatasetTestSet dataset_test_set(const RunConfig& cfg, const QuantModel& model, bool is_pkg) {
  const Dataset d = load_dataset(cfg.dataset, cfg.limit);
  if (d.num_classes > 256)
    throw Error(d.source + ": labels reach class " + std::to_string(d.num_classes - 1) + "; keymac run reports up to 256 classes");
  if (model.num_outputs < d.num_classes)
    throw Error(cfg.model + ": model has " + std::to_string(model.num_outputs) + " outputs but the labels of " + d.source +
                " reach class " + std::to_string(d.num_classes - 1));
  check_dataset_shape(model.input_shape, d, cfg.model);
  Preprocessing p;
  if (is_pkg) {  // the package's preprocessing is part of the model: flags may only repeat it
    const Preprocessing rec = recorded_preprocessing(model);
    const Preprocessing asked = resolve_preprocessing(d, rec, cfg.dataset_preprocess_json, cfg.dataset_scale,
                                                      cfg.dataset_mean, cfg.dataset_std);
    const size_t channels = std::max({rec.mean.size(), rec.std.size(), asked.mean.size(), asked.std.size()});
    for (size_t c = 0; c < channels; ++c) {
      if (!close(at(asked.mean, c), at(rec.mean, c)) || !close(at(asked.std, c), at(rec.std, c)) || !close(asked.scale, rec.scale))
        throw UsageError("--mean/--std/--scale/--preprocess: " + asked.str() + " contradicts the preprocessing " + rec.str() +
                         " recorded in " + cfg.model);
    }
    p = rec;
  } else {
    p = resolve_preprocessing(d, std::nullopt, cfg.dataset_preprocess_json, cfg.dataset_scale, cfg.dataset_mean,
                              cfg.dataset_std);
  }
  DatasetTestSet t;
  const int64_t per = numel(d.sample_shape);
  t.set.count = d.count;
  t.set.rows = 1;
  t.set.cols = static_cast<int>(per);
  t.set.inputs.resize(static_cast<size_t>(d.count * per));
  d.batch(0, d.count, p, t.set.inputs.data());
  t.set.labels.reserve(d.labels.size());
  for (int32_t l : d.labels) t.set.labels.push_back(static_cast<uint8_t>(l));
  t.num_classes = d.num_classes;
  t.line = d.source + ", " + std::to_string(d.count) + " samples of shape " + shape_str(d.sample_shape) + ", " +
           std::to_string(d.num_classes) + " classes; preprocessing " + p.str();
  return t;
}

}  // namespace keymac
