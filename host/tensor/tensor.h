// A dense tensor as keymac reads and writes it for `keymac infer` and the
// dataset loaders: full shape (batch dimension included), values widened to
// double so that every source type (uint8 .. int64, float16/32/64) is held
// exactly enough, and the element type it was stored as.
// Contract: data.size() == numel(dims) (an empty dims list is a scalar of one
// element); a Tensor from any reader below has at most kMaxTensorFileElements
// elements, checked before allocation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace keymac {

// Element types the readers accept (the subset of NumPy / ONNX types a
// network's inputs, outputs or a dataset's images and labels use).
enum class DType { kF32, kF64, kF16, kU8, kI8, kU16, kI16, kI32, kI64, kBool };
const char* dtype_name(DType t);
bool dtype_is_integer(DType t);  // every type but the floats

struct Tensor {
  std::vector<int64_t> dims;
  DType dtype = DType::kF32;
  std::vector<double> data;
  int64_t count() const { return static_cast<int64_t>(data.size()); }
};

// Caps of one tensor file (docs/FORMATS.md, "Tensor files").
constexpr uint64_t kMaxTensorFileBytes = uint64_t(1) << 30;         // 1 GiB
constexpr int64_t kMaxTensorFileElements = int64_t(1) << 28;        // 256 Mi elements
constexpr int kMaxTensorRank = 8;

std::string dims_str(const std::vector<int64_t>& dims);  // "[2,3,4]"
// IEEE half -> float (exact), float -> half (round to nearest even).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

}  // namespace keymac
