#include "sim/core/cycle_driver.h"

#include "sim/core/expanded_key_source.h"

namespace keymac {

CycleDriver::CycleDriver(CycleDevice& device, Geometry g) : dev_(device), g_(g) {
  in_.resize(g);
  out_.resize(g);
}

void CycleDriver::reset() {
  dev_.reset();
  cycle_ = 0;
  last_valid_ = -1;
}

// One cycle of in_: the device's step, then the observer.
bool CycleDriver::drive(CyclePhase phase, int64_t index) {
  dev_.step(in_, out_);
  const bool go = !observer_ || observer_(CycleView{phase, index, cycle_, in_, out_});
  ++cycle_;
  return go;
}

bool CycleDriver::load_key(const std::vector<uint8_t>& bits) {
  for (int64_t j = 0; j < static_cast<int64_t>(bits.size()); ++j) {
    Sequencer::key_inputs(bits, j, in_);
    if (!drive(CyclePhase::kKeyLoad, j)) return false;
  }
  return true;
}

bool CycleDriver::idle(int64_t cycles) {
  in_.idle();
  for (int64_t k = 0; k < cycles; ++k)
    if (!drive(CyclePhase::kIdle, k)) return false;
  return true;
}

bool CycleDriver::run_layer(Sequencer& seq) {
  last_valid_ = -1;
  for (int64_t t = 0; t < seq.cycles(); ++t) {
    seq.inputs(t, in_);
    if (!drive(CyclePhase::kLayer, t)) return false;
    if (out_.psum_valid) last_valid_ = t;
    seq.collect(t, out_);
  }
  return true;
}

void CycleDriver::prepare_layer(Sequencer& seq, const KeySource* key, int64_t layer) {
  if (!key || key->mode() != KeyMode::kExpanded) return;
  const auto& src = dynamic_cast<const ExpandedKeySource&>(*key);
  seq.set_key_warmup(static_cast<int64_t>(src.warmup_cycles()), ExpandedKeySource::layer_iv(src.nonce(), layer));
}

}  // namespace keymac
