#include "traces/array_tracer.h"

#include "params/keymac_params.h"

namespace keymac::traces {

namespace {
// Signal i of the layout is port i + 1 of sim/core/array_ports.h: every port
// but clk_i (a frame is one whole cycle), so k_clk_i is -1 and k_rst_ni 0.
#define KEYMAC_SIG_(n, i, w) k_##n,
enum Sig : int { kBeforeClk_ = -2, KEYMAC_ARRAY_PORTS(KEYMAC_SIG_) };
#undef KEYMAC_SIG_
static_assert(k_clk_i == -1 && k_rst_ni == 0, "clk_i must be the first port of KEYMAC_ARRAY_PORTS");
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
  auto put = [&](int s, uint64_t v) { put_bits(f + l.offset(static_cast<size_t>(s)), 0, l.signals()[static_cast<size_t>(s)].width, v); };
  put(k_rst_ni, 1);
  put(k_key_valid_i, in.key_valid);
  put(k_key_bit_i, in.key_bit);
  put(k_key_sealed_o, out.key_sealed);
  put(k_key_err_o, out.key_err);
  put(k_w_valid_i, in.w_valid);
  put(k_w_row_i, in.w_row);
  put(k_w_bank_i, in.w_bank);
  for (size_t c = 0; c < in.w_data.size(); ++c)
    put_bits(f + l.offset(k_w_data_i), 8 * c, 8, static_cast<uint8_t>(in.w_data[c]));
  put(k_a_valid_i, in.a_valid);
  put(k_a_bank_i, in.a_bank);
  for (size_t r = 0; r < in.a_data.size(); ++r)
    put_bits(f + l.offset(k_a_data_i), 8 * r, 8, static_cast<uint8_t>(in.a_data[r]));
  put(k_psum_valid_o, out.psum_valid);
  for (size_t c = 0; c < out.psum_data.size(); ++c)
    put_bits(f + l.offset(k_psum_data_o), 32 * c, 32, static_cast<uint32_t>(out.psum_data[c]));
}

ArrayTracer::ArrayTracer(Geometry g, bool keyed, std::vector<TraceSink*> sinks, const TraceTiming& timing,
                         uint64_t last_cycle)
    : g_(g), core_(g, keyed), sinks_(std::move(sinks)), layout_(boundary_layout(g)) {
  core_.reset();
  out_.resize(g);
  for (auto* s : sinks_) s->begin(layout_, timing, 0, last_cycle);
}

void ArrayTracer::step(const ArrayInputs& in) {
  ArrayOutputs out;
  out.resize(g_);
  core_.outputs(out);
  if (!sinks_.empty()) {
    boundary_frame(layout_, in, out, frame_);
    if (scrub_key_) frame_[layout_.offset(k_key_bit_i)] &= ~uint64_t{1};  // 1-bit signal: bit 0 of its word
    for (auto* s : sinks_) s->sample(cycle_, frame_.data());
  }
  core_.step(in, out_);
  ++cycle_;
}

void ArrayTracer::load_key(const std::vector<uint8_t>& bits) {
  ArrayInputs in;
  in.resize(g_);
  for (int64_t j = 0; j < static_cast<int64_t>(bits.size()); ++j) {
    Sequencer::key_inputs(bits, j, in);
    step(in);
  }
}

std::vector<int32_t> ArrayTracer::run_layer(const GemmProblem& problem, const LayerPlan& plan) {
  Sequencer seq(problem, plan);
  ArrayInputs in;
  in.resize(g_);
  for (int64_t t = 0; t < seq.cycles(); ++t) {
    seq.inputs(t, in);
    ArrayOutputs out;
    out.resize(g_);
    core_.outputs(out);
    seq.collect(t, out);
    step(in);
  }
  return seq.y();
}

void ArrayTracer::finish() {
  for (auto* s : sinks_) s->end();
  sinks_.clear();
}

}  // namespace keymac::traces
