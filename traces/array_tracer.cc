#include "traces/array_tracer.h"

namespace keymac::traces {

namespace {
int row_bits(Geometry g) {
  int b = 0;
  while ((1 << b) < g.rows) ++b;
  return b < 1 ? 1 : b;
}
enum Sig { kRst, kKeyValid, kKeyBit, kKeySealed, kKeyErr, kWValid, kWRow, kWBank, kWData, kAValid, kABank, kAData, kPValid, kPData };
}  // namespace

TraceLayout boundary_layout(Geometry g) {
  const std::string s = "km_array";
  return TraceLayout({{s, "rst_ni", 1},        {s, "key_valid_i", 1},       {s, "key_bit_i", 1},
                      {s, "key_sealed_o", 1},  {s, "key_err_o", 1},         {s, "w_valid_i", 1},
                      {s, "w_row_i", row_bits(g)}, {s, "w_bank_i", 1},      {s, "w_data_i", 8 * g.cols},
                      {s, "a_valid_i", 1},     {s, "a_bank_i", 1},          {s, "a_data_i", 8 * g.rows},
                      {s, "psum_valid_o", 1},  {s, "psum_data_o", 32 * g.cols}});
}

void boundary_frame(const TraceLayout& l, const ArrayInputs& in, const ArrayOutputs& out,
                    std::vector<uint64_t>& frame) {
  frame.assign(l.frame_words(), 0);
  uint64_t* f = frame.data();
  auto put = [&](int s, uint64_t v) { put_bits(f + l.offset(static_cast<size_t>(s)), 0, l.signals()[static_cast<size_t>(s)].width, v); };
  put(kRst, 1);
  put(kKeyValid, in.key_valid);
  put(kKeyBit, in.key_bit);
  put(kKeySealed, out.key_sealed);
  put(kKeyErr, out.key_err);
  put(kWValid, in.w_valid);
  put(kWRow, in.w_row);
  put(kWBank, in.w_bank);
  for (size_t c = 0; c < in.w_data.size(); ++c)
    put_bits(f + l.offset(kWData), 8 * c, 8, static_cast<uint8_t>(in.w_data[c]));
  put(kAValid, in.a_valid);
  put(kABank, in.a_bank);
  for (size_t r = 0; r < in.a_data.size(); ++r)
    put_bits(f + l.offset(kAData), 8 * r, 8, static_cast<uint8_t>(in.a_data[r]));
  put(kPValid, out.psum_valid);
  for (size_t c = 0; c < out.psum_data.size(); ++c)
    put_bits(f + l.offset(kPData), 32 * c, 32, static_cast<uint32_t>(out.psum_data[c]));
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
    if (scrub_key_) frame_[layout_.offset(kKeyBit)] &= ~uint64_t{1};  // 1-bit signal: bit 0 of its word
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
