#include "host/cosim/lockstep.h"

#include <fmt/format.h>

#include "host/backend/rtl_ports.h"
#include "sim/core/cycle_driver.h"
#include "sim/core/error.h"
#include "sim/core/expanded_key_source.h"
#include "sim/core/fold_engine.h"
#include "sim/core/memory_system.h"
#include "sim/core/ws_array_core.h"

namespace keymac {

struct Lockstep::Model {
  Model(Geometry g, bool keyed) : core(g, keyed), fast(g) { rtl_out.resize(g); }
  Model(Geometry g, KeyMode mode) : core(g, mode), fast(g) { rtl_out.resize(g); }
  WsArrayCore core;
  FastArray fast;
  ArrayOutputs rtl_out;  // the RTL's outputs of the current cycle
};

// Model and RTL in one cycle: the model's single-step core gives `out`, the
// RTL gets the same inputs (during the key load: its own key bits, when
// rtl_key is set) and its outputs go to Model::rtl_out. The RTL's clock edge
// is withheld when any output differs, so the mismatch's cycle is current.
class Lockstep::Device : public CycleDevice {
 public:
  explicit Device(Lockstep& ls) : ls_(ls) { rtl_in_.resize(ls.g_); }
  void reset() override {
    ls_.rtl_->reset();
    ls_.model_->core.reset();
  }
  void step(const ArrayInputs& in, ArrayOutputs& out) override {
    ls_.model_->core.step(in, out);
    const ArrayInputs* to_rtl = &in;
    if (rtl_key && in.key_valid) {
      rtl_in_ = in;
      rtl_in_.key_bit = rtl_key->at(key_j_++) != 0;
      to_rtl = &rtl_in_;
    }
    drive_rtl(*ls_.rtl_, *to_rtl);
    read_rtl(*ls_.rtl_, ls_.model_->rtl_out);
    if (!first_output_mismatch(ls_.g_, out, ls_.model_->rtl_out)) ls_.step_rtl();
  }
  void use_rtl_key(const std::vector<uint8_t>* bits) {
    rtl_key = bits;
    key_j_ = 0;
  }

 private:
  Lockstep& ls_;
  const std::vector<uint8_t>* rtl_key = nullptr;
  size_t key_j_ = 0;
  ArrayInputs rtl_in_;
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
  device_ = std::make_unique<Device>(*this);
  driver_ = std::make_unique<CycleDriver>(*device_, g);
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

std::optional<Mismatch> first_output_mismatch(Geometry g, const ArrayOutputs& model, const ArrayOutputs& rtl) {
  std::optional<Mismatch> mm;
  for_each_port_field<false, true>(g.rows, g.cols, [&](const PortDesc& d, Port, auto get) {
    const auto& field = get(NoPorts{}, model);
    const auto& rtl_field = get(NoPorts{}, rtl);
    constexpr bool kLanes = !std::is_arithmetic_v<std::decay_t<decltype(field)>>;  // a vector: one lane per column
    for (size_t l = 0; !mm && l < port_lanes::count(field); ++l) {
      const int64_t a = port_lanes::value(field, l), b = port_lanes::value(rtl_field, l);
      if (a == b) continue;
      mm = Mismatch{};
      mm->signal = kLanes ? fmt::format("{}[{}] (column {})", d.name, l, l) : std::string(d.name);
      mm->model_value = std::to_string(a);
      mm->rtl_value = std::to_string(b);
    }
  });
  return mm;
}

std::optional<Mismatch> Lockstep::compare(const ArrayOutputs& m, const std::string& phase) {
  auto mm = first_output_mismatch(g_, m, model_->rtl_out);
  if (mm) {
    mm->cycle = cycle_;
    mm->phase = phase;
  }
  return mm;
}

std::optional<Mismatch> Lockstep::key_phase() {
  cycle_ = 0;
  driver_->reset();
  std::optional<Mismatch> mm;
  driver_->set_observer([&](const CycleView& v) { return !(mm = compare(v.out, "key load")); });
  device_->use_rtl_key(&rtl_bits_);
  const bool ok = driver_->load_key(model_bits_);
  device_->use_rtl_key(nullptr);
  // One idle cycle: the sealed flag is visible on the ports.
  if (!ok || !driver_->idle(1)) return mm;
  if (!expanded_) model_->fast.set_key(model_->core.key());
  return std::nullopt;
}

std::optional<Mismatch> Lockstep::layer_phase(const Layer& l, size_t index, std::vector<int32_t>* y) {
  const LayerPlan plan = MemorySystem(g_, MemoryConfig{}).plan(l.p.shape);
  Sequencer seq(l.p, plan);
  if (expanded_) {
    CycleDriver::prepare_layer(seq, kx_.get(), l.index);
    model_->fast.set_key_source(kx_.get(), l.index);
  }
  ArrayOutputs fast_out;
  fast_out.resize(g_);
  std::optional<Mismatch> mm;
  driver_->set_observer([&](const CycleView& v) {
    const std::string phase = fmt::format("layer {} cycle {}", index, v.index);
    model_->fast.outputs_at(seq, v.index, fast_out);
    if (fast_out != v.out)
      throw Error(fmt::format("model self-check failed at cycle {} ({}): SystemC fast mode and single-step core disagree", v.cycle, phase));
    return !(mm = compare(v.out, phase));
  });
  if (!driver_->run_layer(seq)) return mm;
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
