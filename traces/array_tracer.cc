#include "traces/array_tracer.h"

#include "params/keymac_params.h"

namespace keymac::traces {

namespace {
// Signal i of the layout is port i + 1 of sim/core/array_ports.h: every port
// but clk_i (a frame is one whole cycle).
static_assert(static_cast<int>(Port::clk_i) == 0 && static_cast<int>(Port::rst_ni) == 1,
              "clk_i and rst_ni must be the first ports of KEYMAC_ARRAY_PORTS");
size_t signal_of(Port p) { return static_cast<size_t>(p) - 1; }
}  // namespace

TraceLayout boundary_layout(Geometry g) {
  std::vector<Signal> sigs;
  for (const PortDesc& p : array_ports(g.rows, g.cols))
    if (std::string(p.name) != "clk_i") sigs.push_back({"km_array", p.name, p.width});
  return TraceLayout(std::move(sigs));
}

void boundary_frame(const TraceLayout& l, const ArrayInputs& in, const ArrayOutputs& out,
                    std::vector<uint64_t>& frame) {
  frame.assign(l.frame_words(), 0);
  uint64_t* f = frame.data();
  // Lanes in port order; rst_ni (no field) is 1 in every traced cycle.
  put_bits(f + l.offset(signal_of(Port::rst_ni)), 0, 1, 1);
  const int R = static_cast<int>(in.a_data.size()), C = static_cast<int>(in.w_data.size());
  for_each_port(R, C, in, out, [&](const PortDesc& d, Port id, const auto& field) {
    const size_t n = port_lanes::count(field);
    if (n == 0) return;
    const int b = port_lanes::bits(field, d.width);
    uint64_t* w = f + l.offset(signal_of(id));
    for (size_t k = 0; k < n; ++k) put_bits(w, k * static_cast<size_t>(b), b, port_lanes::lane(field, k));
  });
}

ArrayTracer::ArrayTracer(Geometry g, bool keyed, std::vector<TraceSink*> sinks, const TraceTiming& timing,
                         uint64_t last_cycle)
    : g_(g), core_(g, keyed), device_(core_), driver_(device_, g), sinks_(std::move(sinks)),
      layout_(boundary_layout(g)) {
  driver_.reset();
  driver_.set_observer([this](const CycleView& v) {
    if (!sinks_.empty()) {
      boundary_frame(layout_, v.in, v.out, frame_);
      if (scrub_key_) frame_[layout_.offset(signal_of(Port::key_bit_i))] &= ~uint64_t{1};  // 1-bit signal: bit 0 of its word
      for (auto* s : sinks_) s->sample(v.cycle, frame_.data());
    }
    return true;
  });
  for (auto* s : sinks_) s->begin(layout_, timing, 0, last_cycle);
}

ArrayTracer::~ArrayTracer() = default;

void ArrayTracer::load_key(const std::vector<uint8_t>& bits) { driver_.load_key(bits); }

std::vector<int32_t> ArrayTracer::run_layer(const GemmProblem& problem, const LayerPlan& plan) {
  Sequencer seq(problem, plan);
  driver_.run_layer(seq);
  return seq.y();
}

void ArrayTracer::finish() {
  for (auto* s : sinks_) s->end();
  sinks_.clear();
}

}  // namespace keymac::traces
