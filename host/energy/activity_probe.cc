#include "host/energy/activity_probe.h"

namespace keymac {

ActivityProbe::ActivityProbe(std::unique_ptr<ArrayBackend> inner) : inner_(std::move(inner)) {}

void ActivityProbe::reset(const KeySource* key) {
  inner_->reset(key);
  key_ = key ? key->clone() : nullptr;
}

LayerStats ActivityProbe::run_gemm(const GemmJob& job, int32_t* y) {
  LayerStats st = inner_->run_gemm(job, y);
  layers_.push_back(measure_activity(job, inner_->geometry(), key_.get(), st));
  return st;
}

}  // namespace keymac
