#include "host/cosim/cosim_backend.h"

#include "sim/core/error.h"
#include "sim/core/schedule.h"

namespace keymac {

CosimBackend::CosimBackend(Geometry g, std::string wave, std::optional<KeyFault> fault, uint64_t period_ps)
    : g_(g), wave_(std::move(wave)), fault_(fault), period_ps_(period_ps) {
  if (fault_ && (fault_->row < 0 || fault_->row >= g.rows || fault_->col < 0 || fault_->col >= g.cols))
    throw Error("--inject-key-fault: PE (" + std::to_string(fault_->row) + "," + std::to_string(fault_->col) +
                ") is outside the " + g.str() + " array");
}

void CosimBackend::reset(const KeySource* key) {
  require_key_mode_supported(*this, key);
  // A fresh lock-step pair per reset, keyed RTL when a key is given.
  const bool expanded = key && key->mode() == KeyMode::kExpanded;
  ls_ = std::make_unique<Lockstep>(g_, key != nullptr, expanded);
  if (!wave_.empty()) ls_->set_wave(wave_, 16, period_ps_);
  std::vector<uint8_t> bits, rtl_bits;
  warmup_ = 0;
  if (key) {
    bits = key->bits();
    rtl_bits = bits;
    if (expanded) {
      ls_->set_expanded_key(*key);
      warmup_ = key->warmup_cycles();
      if (fault_) ls_->set_key_fault(fault_->row, fault_->col);
    } else if (fault_) {
      rtl_bits[static_cast<size_t>(fault_->row * g_.cols + fault_->col)] ^= 1;
    }
  }
  if (auto m = ls_->load_key(bits, rtl_bits)) throw Error(m->str());
}

LayerStats CosimBackend::run_gemm(const GemmJob& job, int32_t* y) {
  if (!ls_) throw Error("cosim backend: reset() must come before run_gemm()");
  std::vector<int32_t> out;
  const uint64_t before = ls_->cycles();
  if (auto m = ls_->run_layer(GemmProblem{job.shape, job.x, job.w, g_}, out, job.layer_index)) throw Error(m->str());
  std::copy(out.begin(), out.end(), y);
  LayerStats st;
  st.cycles = ls_->cycles() - before;
  st.macs = static_cast<uint64_t>(job.shape.macs());
  compared_ += st.cycles;
  const uint64_t closed = static_cast<uint64_t>(Schedule(job.shape, g_).cycles()) + warmup_;
  if (st.cycles != closed)
    throw Error("co-simulation: layer took " + std::to_string(st.cycles) + " cycles, the closed form says " +
                std::to_string(closed));
  return st;
}

}  // namespace keymac
