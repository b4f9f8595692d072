// An ArrayBackend that runs every GEMM through Lockstep (model vs RTL, every
// cycle compared) and returns the model's result; the first mismatch throws
// keymac::Error carrying Mismatch::str(). Used by `keymac cosim --model`.
#pragma once
#include <memory>
#include <optional>

#include "host/backend/array_backend.h"
#include "host/cosim/lockstep.h"

namespace keymac {

// Fault injection in the RTL only: periodic, flip k[r][c] of the loaded key;
// expanded, invert the key bits stored beside PE (r, c)'s weight registers.
struct KeyFault {
  int row = 0, col = 0;
};

class CosimBackend : public ArrayBackend {
 public:
  CosimBackend(Geometry g, std::string wave, std::optional<KeyFault> fault, uint64_t period_ps = 1000);
  std::string name() const override { return "cosim"; }
  Geometry geometry() const override { return g_; }
  void reset(const KeySource* key) override;
  bool supports_expanded_key() const override { return true; }
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;
  uint64_t cycles_compared() const { return compared_; }

 private:
  Geometry g_;
  std::string wave_;
  std::optional<KeyFault> fault_;
  uint64_t period_ps_ = 1000;
  std::unique_ptr<Lockstep> ls_;
  uint64_t compared_ = 0;
  uint64_t warmup_ = 0;  // expanded key: the key unit's warm-up per layer
};

}  // namespace keymac
