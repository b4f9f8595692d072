// Tiling and timing of one GEMM on a weight-stationary R x C array
// (ARCHITECTURE.md sections 6 and 8).
// Contract: cycles() is the spec's closed form; Fold enumerates folds in the
// spec's order f = nt*Kt + kt. All counts are exact integers.
#pragma once
#include <cstdint>

#include "sim/core/geometry.h"

namespace keymac {

struct GemmShape {
  int64_t m = 0;  // activation rows (batch x output pixels)
  int64_t k = 0;  // reduction
  int64_t n = 0;  // outputs
  int64_t macs() const { return m * k * n; }
};

struct Fold {
  int64_t index;  // f
  int64_t kt, nt;
  int bank() const { return static_cast<int>(index & 1); }
};

class Schedule {
 public:
  Schedule(GemmShape shape, Geometry g);

  int64_t k_tiles() const { return kt_; }
  int64_t n_tiles() const { return nt_; }
  int64_t folds() const { return kt_ * nt_; }
  Fold fold(int64_t f) const { return Fold{f, f % kt_, f / kt_}; }
  // Fold period with ideal memory: P = max(M, R).
  int64_t period() const;
  // First weight-row write W_f and first activation S_f of fold f (ideal memory).
  int64_t weight_start(int64_t f) const { return f * period(); }
  int64_t act_start(int64_t f) const { return f * period() + 1; }
  // Cycle (0-based) in which the row of sums for activation presented at t leaves.
  int64_t output_cycle(int64_t t) const { return t + g_.rows + g_.cols - 1; }
  // (F - 1) * max(M, R) + M + R + C
  int64_t cycles() const;
  // Ideal MACs / (R*C), as a real number, and utilisation macs / (R*C*cycles).
  double ideal_cycles() const;
  double utilisation() const;

  const GemmShape& shape() const { return s_; }
  const Geometry& geometry() const { return g_; }

 private:
  GemmShape s_;
  Geometry g_;
  int64_t kt_, nt_;
};

}  // namespace keymac
