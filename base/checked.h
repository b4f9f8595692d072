// Checked 64-bit arithmetic for sizes and element counts read from untrusted
// files (ONNX tensors, package headers, VCD widths).
// Contract: checked_mul / checked_add return std::nullopt instead of
// overflowing (no undefined behaviour for any int64_t operands);
// checked_numel() multiplies dimensions and returns std::nullopt when any
// dimension is negative or the product exceeds `cap`; in_int_range() says
// whether a double or int64 fits an `int` (so a cast cannot be UB or truncate).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace keymac {

inline std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Product of non-negative dimensions, at most `cap` (an empty list is 1).
template <typename Dims>
std::optional<int64_t> checked_numel(const Dims& dims, int64_t cap) {
  int64_t n = 1;
  for (auto d : dims) {
    const int64_t v = static_cast<int64_t>(d);
    if (v < 0) return std::nullopt;
    auto p = checked_mul(n, v);
    if (!p || *p > cap) return std::nullopt;
    n = *p;
  }
  return n;
}

inline bool in_int_range(int64_t v) {
  return v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
}
inline bool in_int_range(double v) {
  return std::isfinite(v) && v >= std::numeric_limits<int>::min() && v <= std::numeric_limits<int>::max();
}

}  // namespace keymac
