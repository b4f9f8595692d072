// An ArrayBackend that runs every GEMM through Lockstep (model vs RTL, every
// cycle compared) and returns the model's result; the first mismatch throws
// keymac::Error carrying Mismatch::str(). Used by `keymac cosim --model`.
#pragma once
#include <memory>
#include <optional>

#include "host/backend/array_backend.h"
#include "host/cosim/lockstep.h"

namespace keymac {

struct KeyFault {  // flip k[r][c] in the RTL's key only (fault injection)
  int row = 0, col = 0;
};

class CosimBackend : public ArrayBackend {
 public:
  CosimBackend(Geometry g, std::string wave, std::optional<KeyFault> fault, uint64_t period_ps = 1000);
  std::string name() const override { return "cosim"; }
  Geometry geometry() const override { return g_; }
  void reset(const KeySource* key) override;
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;
  uint64_t cycles_compared() const { return compared_; }

 private:
  Geometry g_;
  std::string wave_;
  std::optional<KeyFault> fault_;
  uint64_t period_ps_ = 1000;
  std::unique_ptr<Lockstep> ls_;
  uint64_t compared_ = 0;
};

}  // namespace keymac
