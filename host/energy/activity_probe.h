// ActivityProbe: an ArrayBackend that forwards to another backend and records
// the LayerActivity (activity.h) of every run_gemm from the job's operands and
// the key source of the last reset (any key mode). Results and stats are the inner backend's.
// Costs about one extra GEMM per layer: used for one batch, not a whole run.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "host/backend/array_backend.h"
#include "host/energy/activity.h"

namespace keymac {

class ActivityProbe : public ArrayBackend {
 public:
  explicit ActivityProbe(std::unique_ptr<ArrayBackend> inner);
  std::string name() const override { return inner_->name(); }
  Geometry geometry() const override { return inner_->geometry(); }
  void reset(const KeySource* key) override;
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;
  void finish() override { inner_->finish(); }

  const std::vector<LayerActivity>& layers() const { return layers_; }
  void clear() { layers_.clear(); }
  bool keyed() const { return key_ != nullptr; }

 private:
  std::unique_ptr<ArrayBackend> inner_;
  std::unique_ptr<KeySource> key_;
  std::vector<LayerActivity> layers_;
};

}  // namespace keymac
