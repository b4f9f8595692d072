// The functional backend: the bit-exact model of sim/core with the closed-form
// cycle count of Schedule. Thread-safe; the fastest backend.
#pragma once
#include <memory>
#include <optional>

#include "host/backend/array_backend.h"

namespace keymac {

class FunctionalBackend : public ArrayBackend {
 public:
  explicit FunctionalBackend(Geometry g) : g_(g) {}
  std::string name() const override { return "functional"; }
  Geometry geometry() const override { return g_; }
  bool thread_safe() const override { return true; }
  bool supports_expanded_key() const override { return true; }
  void reset(const KeySource* key) override;
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;

 private:
  Geometry g_;
  std::optional<Key> key_;                 // periodic key (the original fast path)
  std::unique_ptr<KeySource> expanded_;    // expanded key source (section 11)
};

}  // namespace keymac
