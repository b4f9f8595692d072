// Array geometry R x C (ARCHITECTURE.md section 1).
// Contract: a Geometry obtained from parse() or make() always satisfies
// 1 <= rows, cols <= kMaxDim and rows*cols <= kMaxPes.
#pragma once
#include <string>

namespace keymac {

struct Geometry {
  static constexpr int kMaxDim = 256;
  static constexpr int kMaxPes = 65536;

  int rows = 16;
  int cols = 16;

  // Parses "RxC" (also "RXC"); throws keymac::Error naming `what` otherwise.
  static Geometry parse(const std::string& text, const std::string& what = "--array");
  // Validates explicit dimensions; throws keymac::Error naming `what`.
  static Geometry make(int rows, int cols, const std::string& what = "geometry");

  int pes() const { return rows * cols; }
  std::string str() const { return std::to_string(rows) + "x" + std::to_string(cols); }
  bool operator==(const Geometry& o) const { return rows == o.rows && cols == o.cols; }
  bool operator!=(const Geometry& o) const { return !(*this == o); }
};

}  // namespace keymac
