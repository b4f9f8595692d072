#include "host/backend/functional_backend.h"

#include "sim/core/error.h"
#include "sim/core/keyed_gemm.h"

namespace keymac {

void FunctionalBackend::reset(const KeySource* key) {
  key_.reset();
  expanded_.reset();
  if (!key) return;
  if (key->geometry() != g_)
    throw Error("key is for a " + key->geometry().str() + " array, not " + g_.str());
  if (key->mode() == KeyMode::kExpanded) {
    expanded_ = key->clone();
    return;
  }
  Key k(g_);
  auto bits = key->bits();
  for (int j = 0; j < g_.pes(); ++j) k.set(j / g_.cols, j % g_.cols, bits[static_cast<size_t>(j)]);
  key_ = std::move(k);
}

LayerStats FunctionalBackend::run_gemm(const GemmJob& job, int32_t* y) {
  Schedule s(job.shape, g_);
  if (expanded_) keyed_gemm(job.x, job.w, job.shape, g_, expanded_.get(), job.layer_index, y);
  else keyed_gemm(job.x, job.w, job.shape, g_, key_ ? &*key_ : nullptr, y);
  LayerStats st;
  st.cycles = static_cast<uint64_t>(s.cycles()) + (expanded_ ? expanded_->warmup_cycles() : 0);
  st.macs = static_cast<uint64_t>(job.shape.macs());
  return st;
}

}  // namespace keymac
