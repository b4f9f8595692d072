#include "sim/core/schedule.h"

#include <algorithm>

#include "sim/core/error.h"

namespace keymac {

Schedule::Schedule(GemmShape shape, Geometry g) : s_(shape), g_(g) {
  if (s_.m < 1 || s_.k < 1 || s_.n < 1)
    throw Error("GEMM shape M=" + std::to_string(s_.m) + " K=" + std::to_string(s_.k) +
                " N=" + std::to_string(s_.n) + " has an empty dimension");
  kt_ = (s_.k + g_.rows - 1) / g_.rows;
  nt_ = (s_.n + g_.cols - 1) / g_.cols;
}

int64_t Schedule::period() const { return std::max<int64_t>(s_.m, g_.rows); }

int64_t Schedule::cycles() const {
  return (folds() - 1) * period() + s_.m + g_.rows + g_.cols;
}

double Schedule::ideal_cycles() const {
  return static_cast<double>(s_.macs()) / static_cast<double>(g_.pes());
}

double Schedule::utilisation() const { return ideal_cycles() / static_cast<double>(cycles()); }

}  // namespace keymac
