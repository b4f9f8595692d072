// `keymac run --dataset` (issue 12, docs/DATASETS.md): the lock report of
// `keymac run` (float, int8 reference, right key, wrong keys, plain array)
// over any labelled dataset instead of Fashion-MNIST.
// Contract: dataset_test_set() loads the first `cfg.limit` samples of
// cfg.dataset, preprocesses them as the model expects (a package: the
// preprocessing it records, which flags may repeat but not contradict; an
// ONNX model: the data's default scale < --preprocess JSON < --scale/--mean/
// --std) and returns them as the evaluator's ImageSet of preprocessed floats.
// quantize_for_run() calibrates an ONNX graph on the first cfg.calib samples of
// cfg.calib_dataset (default cfg.dataset) with the same preprocessing flags.
// Errors are one line naming the dataset, the package or the option
// (keymac::Error; UsageError for contradicting flags).
#pragma once
#include <string>

#include "host/data/idx_dataset.h"
#include "host/model/graph.h"
#include "host/quant/quant_model.h"
#include "host/runtime/run_job.h"

namespace keymac {

struct DatasetTestSet {
  ImageSet set;         // preprocessed floats (ImageSet::inputs), rows 1 x cols per-sample values
  int num_classes = 0;  // max label + 1
  std::string line;     // "idx:..., 1000 samples of shape [3,32,32], 10 classes; preprocessing scale ..."
};

DatasetTestSet dataset_test_set(const RunConfig& cfg, const QuantModel& model, bool is_pkg);
QuantModel quantize_for_run(const Graph& g, const RunConfig& cfg);

}  // namespace keymac
