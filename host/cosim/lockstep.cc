#include "host/cosim/lockstep.h"

#include <fmt/format.h>

#include "host/backend/rtl_ports.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/fold_engine.h"
#include "sim/core/memory_system.h"
#include "sim/core/ws_array_core.h"

namespace keymac {

struct Lockstep::Model {
  Model(Geometry g, bool keyed) : core(g, keyed), fast(g) {}
  Model(Geometry g, KeyMode mode) : core(g, mode), fast(g) {}
  WsArrayCore core;
  FastArray fast;
};

std::string Mismatch::str() const {
  std::string s = fmt::format("co-simulation mismatch at cycle {} ({}): {} is {} in the model but {} in the RTL", cycle, phase,
                              signal, model_value, rtl_value);
  if (!wave_path.empty()) s += "; waveform around it: " + wave_path;
  return s;
}

Lockstep::Lockstep(Geometry g, bool keyed, bool expanded) : g_(g), keyed_(keyed), expanded_(keyed && expanded) {
  rtl_ = rtl::make_rtl_array(g.rows, g.cols, keyed, expanded_);
  if (!rtl_) {
    throw Error("--array: no verilated " + std::string(expanded_ ? "expanded-key" : keyed ? "keyed" : "plain") +
                " RTL model for " + g.str() + " (built: " + rtl_geometry_list(false) + ")");
  }
  model_ = expanded_ ? std::make_unique<Model>(g, KeyMode::kExpanded) : std::make_unique<Model>(g, keyed);
}

void Lockstep::set_expanded_key(const KeySource& src) {
  if (!expanded_ || src.mode() != KeyMode::kExpanded || !dynamic_cast<const ExpandedKeySource*>(&src))
    throw Error("co-simulation: an expanded key needs the expanded-key RTL (and the reverse)");
  kx_ = src.clone();
}

void Lockstep::set_key_fault(int row, int col) {
  if (!expanded_) throw Error("co-simulation: set_key_fault is for the expanded key mode (periodic: give the RTL other key bits)");
  fault_ = std::make_pair(row, col);
}

void Lockstep::step_rtl() {
  if (trace_from_ && cycle_ == *trace_from_) rtl_->trace_open(wave_, period_ps_, cycle_);
  rtl_->step();
  ++cycle_;
  if (fault_)
    for (int b = 0; b < 2; ++b)
      rtl_->poke_key_bit(b, fault_->first, fault_->second, !model_->core.key_bit(b, fault_->first, fault_->second));
  if (trace_to_ && cycle_ > *trace_to_) rtl_->trace_close();
}

Lockstep::~Lockstep() = default;

std::optional<Mismatch> Lockstep::compare(const ArrayOutputs& m, const std::string& phase) {
  auto diff = [&](const std::string& sig, int64_t a, int64_t b) -> std::optional<Mismatch> {
    if (a == b) return std::nullopt;
    Mismatch mm;
    mm.cycle = cycle_;
    mm.phase = phase;
    mm.signal = sig;
    mm.model_value = std::to_string(a);
    mm.rtl_value = std::to_string(b);
    return mm;
  };
  if (auto d = diff("key_sealed_o", m.key_sealed, rtl_->key_sealed())) return d;
  if (auto d = diff("key_err_o", m.key_err, rtl_->key_err())) return d;
  if (auto d = diff("psum_valid_o", m.psum_valid, rtl_->psum_valid())) return d;
  for (int c = 0; c < g_.cols; ++c)
    if (auto d = diff(fmt::format("psum_data_o[{}] (column {})", c, c), m.psum_data[static_cast<size_t>(c)], rtl_->psum(c))) return d;
  return std::nullopt;
}

std::optional<Mismatch> Lockstep::key_phase() {
  rtl_->reset();
  model_->core.reset();
  cycle_ = 0;
  ArrayInputs in, in_rtl;
  in.resize(g_);
  in_rtl.resize(g_);
  ArrayOutputs out;
  out.resize(g_);
  auto tick = [&]() { step_rtl(); };
  const auto n = static_cast<int64_t>(model_bits_.size());
  for (int64_t j = 0; j < n; ++j) {
    Sequencer::key_inputs(model_bits_, j, in);
    Sequencer::key_inputs(rtl_bits_, j, in_rtl);
    model_->core.step(in, out);
    drive_rtl(*rtl_, in_rtl);
    if (auto m = compare(out, "key load")) return m;
    tick();
  }
  // One idle cycle: the sealed flag is visible on the ports.
  in.idle();
  model_->core.step(in, out);
  drive_rtl(*rtl_, in);
  if (auto m = compare(out, "key load")) return m;
  tick();
  if (!expanded_) model_->fast.set_key(model_->core.key());
  return std::nullopt;
}

std::optional<Mismatch> Lockstep::layer_phase(const Layer& l, size_t index, std::vector<int32_t>* y) {
  const LayerPlan plan = MemorySystem(g_, MemoryConfig{}).plan(l.p.shape);
  Sequencer seq(l.p, plan);
  if (expanded_) {
    const auto& src = dynamic_cast<const ExpandedKeySource&>(*kx_);
    seq.set_key_warmup(static_cast<int64_t>(src.warmup_cycles()), ExpandedKeySource::layer_iv(src.nonce(), l.index));
    model_->fast.set_key_source(kx_.get(), l.index);
  }
  ArrayInputs in;
  in.resize(g_);
  ArrayOutputs out, fast_out;
  out.resize(g_);
  fast_out.resize(g_);
  for (int64_t t = 0; t < seq.cycles(); ++t) {
    seq.inputs(t, in);
    model_->core.step(in, out);
    const std::string phase = fmt::format("layer {} cycle {}", index, t);
    model_->fast.outputs_at(seq, t, fast_out);
    if (fast_out != out)
      throw Error(fmt::format("model self-check failed at cycle {} ({}): SystemC fast mode and single-step core disagree", cycle_, phase));
    drive_rtl(*rtl_, in);
    if (auto m = compare(out, phase)) return m;
    seq.collect(t, out);
    step_rtl();
  }
  if (y) *y = seq.y();
  return std::nullopt;
}

std::optional<Mismatch> Lockstep::load_key(const std::vector<uint8_t>& model_bits, const std::vector<uint8_t>& rtl_bits) {
  const size_t n = expanded_ ? static_cast<size_t>(MasterKey::kBits) : keyed_ ? static_cast<size_t>(g_.pes()) : 0;
  if (model_bits.size() != n || rtl_bits.size() != n) throw Error("co-simulation: key has the wrong number of bits");
  if (expanded_ && !kx_) throw Error("co-simulation: set_expanded_key() must come before load_key()");
  model_bits_ = model_bits;
  rtl_bits_ = rtl_bits;
  history_.clear();
  if (auto m = key_phase()) return replay_for_wave(*m);
  return std::nullopt;
}

std::optional<Mismatch> Lockstep::run_layer(const GemmProblem& p, std::vector<int32_t>& y, int64_t layer) {
  if (p.geometry != g_) throw Error("co-simulation: layer is for another geometry");
  Layer l;
  l.x.assign(p.x, p.x + p.shape.m * p.shape.k);
  l.w.assign(p.w, p.w + p.shape.k * p.shape.n);
  l.p = p;
  l.p.x = l.x.data();
  l.p.w = l.w.data();
  l.index = layer;
  history_.push_back(std::move(l));
  if (auto m = layer_phase(history_.back(), history_.size() - 1, &y)) return replay_for_wave(*m);
  return std::nullopt;
}

std::optional<Mismatch> Lockstep::replay_for_wave(Mismatch m) {
  if (wave_.empty()) return m;
  // Deterministic re-run from reset with the RTL traced around the mismatch.
  trace_from_ = m.cycle > half_ ? m.cycle - half_ : 0;
  trace_to_ = m.cycle + half_;
  std::optional<Mismatch> again = key_phase();
  for (size_t i = 0; !again && i < history_.size(); ++i) again = layer_phase(history_[i], i, nullptr);
  // Let the window run past the mismatch.
  while (cycle_ <= *trace_to_) {
    rtl_->set_idle();
    rtl_->step();
    ++cycle_;
  }
  rtl_->trace_close();
  trace_from_.reset();
  trace_to_.reset();
  m.wave_path = wave_;
  return m;
}

}  // namespace keymac
