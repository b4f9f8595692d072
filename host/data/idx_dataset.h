// Fashion-MNIST (and MNIST) in gzip-compressed IDX format, as Debian's
// dataset-fashion-mnist ships it under /usr/share/datasets/fashion-mnist/.
// Contract: load() returns `count` 28x28 uint8 images and labels 0..9 or throws
// keymac::Error naming the file and the problem (missing, not gzip, wrong
// magic, truncated, label out of range, image/label count mismatch).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace keymac {

struct ImageSet {
  int64_t count = 0;
  int rows = 28, cols = 28;
  std::vector<uint8_t> pixels;  // count x rows x cols
  std::vector<uint8_t> labels;  // count
  const uint8_t* image(int64_t i) const { return pixels.data() + i * rows * cols; }
  // Issue 12 (keymac run --dataset): samples of any dataset, already preprocessed
  // (rows = 1, cols = floats per sample); when set they replace `pixels`.
  std::vector<float> inputs;
  bool preprocessed() const { return !inputs.empty(); }
  const float* input(int64_t i) const { return inputs.data() + i * rows * cols; }
};

constexpr const char* kDefaultDataDir = "/usr/share/datasets/fashion-mnist";

// split: "train" or "t10k". limit < 0: all images.
ImageSet load_idx(const std::string& dir, const std::string& split, int64_t limit = -1);

}  // namespace keymac
