// A labelled dataset of any per-sample shape ([C,H,W] or [F]) and the
// preprocessing that turns its raw values into a network's input
// (docs/DATASETS.md).
// Contract: a Dataset holds `count` samples of numel(sample_shape) values,
// either as bytes (`pixels`, from IDX / CIFAR / uint8 NumPy files) or as
// floats (`values`, from float NumPy files), and `count` labels in
// 0..num_classes-1. Loaders check every size against the file before they
// allocate and throw keymac::Error "<path>: <problem>" (one line).
// Preprocessing maps a raw value v of channel c (dimension 0 of [C,H,W];
// the single channel of [F]) to (v * scale - mean[c]) / std[c]; mean and std
// hold one value (every channel) or one per channel.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/model/graph.h"

namespace keymac {

struct Preprocessing {
  double scale = 1.0;
  std::vector<double> mean{0.0}, std{1.0};
  // Checks sizes against `channels` and std > 0; `what` names the source in errors.
  void check(int64_t channels, const std::string& what) const;
  std::string str() const;  // "scale 0.00392157, mean [0.5], std [0.5]"
};

// --mean/--std ("0.5" or "0.49,0.48,0.45"), --scale and a JSON file
// {"scale": s, "mean": [...], "std": [...]} (any subset); flags override the file.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);
Preprocessing preprocessing_from_json(const std::string& path, Preprocessing base);
// The same from a parsed JSON value (the package's dataset_preprocessing); `what` names it in errors.
Preprocessing preprocessing_from_json_value(const nlohmann::json& j, const std::string& what, Preprocessing base);

constexpr int64_t kMaxDatasetValues = int64_t(1) << 31;  // all samples together
constexpr int kMaxClasses = 65536;

struct Dataset {
  std::string source;        // "cifar10:/path/test_batch.bin", for reports
  Shape sample_shape;        // per sample, batch excluded
  int64_t count = 0;
  std::vector<uint8_t> pixels;  // count x numel(sample_shape), when from bytes
  std::vector<float> values;    // count x numel(sample_shape), when from floats
  std::vector<int32_t> labels;  // count
  int num_classes = 0;          // max label + 1 (at least 2)
  bool is_bytes() const { return values.empty(); }
  // Raw-value scale when no --scale is given: 1/255 for bytes, 1 for floats.
  double default_scale() const { return is_bytes() ? 1.0 / 255.0 : 1.0; }
  // Preprocessed samples [first, first + n) into out (n x numel floats).
  void batch(int64_t first, int64_t n, const Preprocessing& p, float* out) const;
};

// Dataset specs (docs/DATASETS.md):
//   idx:IMAGES,LABELS          any IDX pair (MNIST family), gzip or raw; images [N,H,W] or [N,C,H,W]
//   cifar10:FILE[,FILE...]     CIFAR-10 binary batches (1 label byte + 3x32x32)
//   cifar100:FILE[,FILE...]    CIFAR-100 binary (coarse, fine label bytes + 3x32x32; fine labels)
//   npz:FILE[,XKEY,YKEY]       NumPy .npz with images and labels (keys default x/images/data, y/labels/targets)
//   npy:IMAGES,LABELS          two NumPy .npy files
// limit >= 0 keeps the first `limit` samples.
Dataset load_dataset(const std::string& spec, int64_t limit = -1);

}  // namespace keymac
