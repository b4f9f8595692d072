#include "host/energy/activity_probe.h"

namespace keymac {

ActivityProbe::ActivityProbe(std::unique_ptr<ArrayBackend> inner) : inner_(std::move(inner)) {}

void ActivityProbe::reset(const KeySource* key) {
  inner_->reset(key);
  key_.reset();
  if (!key) return;
  const Geometry g = inner_->geometry();
  Key k(g);
  const auto bits = key->bits();
  for (int j = 0; j < g.pes(); ++j) k.set(j / g.cols, j % g.cols, bits[static_cast<size_t>(j)]);
  key_ = std::move(k);
}

LayerStats ActivityProbe::run_gemm(const GemmJob& job, int32_t* y) {
  LayerStats st = inner_->run_gemm(job, y);
  layers_.push_back(measure_activity(job, inner_->geometry(), key_ ? &*key_ : nullptr, st));
  return st;
}

}  // namespace keymac
