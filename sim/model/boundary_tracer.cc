#include "sim/model/boundary_tracer.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "sim/core/error.h"

namespace keymac {

namespace {
int row_bits(int rows) {
  int b = 1;
  while ((1 << b) < rows) ++b;
  return b;
}
std::string strip_vcd(const std::string& p) {
  // sc_create_vcd_trace_file appends ".vcd".
  if (p.size() > 4 && p.compare(p.size() - 4, 4, ".vcd") == 0) return p.substr(0, p.size() - 4);
  return p;
}
}  // namespace

BoundaryTracer::BoundaryTracer(const std::string& path, Geometry g, uint64_t from, uint64_t to, uint64_t period_ps)
    : g_(g), from_(from), to_(to), period_ps_(period_ps), w_data_i_(8 * g.cols), a_data_i_(8 * g.rows),
      psum_data_o_(32 * g.cols) {
  if (period_ps < 2 || period_ps % 2) throw Error("--clock-mhz: a cycle must be an even number of ps");
  if (to < from)
    throw Error("--trace-window: " + std::to_string(from) + ":" + std::to_string(to) +
                " is empty (FROM must not exceed TO)");
  {
    std::ofstream probe(strip_vcd(path) + ".vcd", std::ios::app);
    if (!probe) throw Error(path + ": cannot write the VCD file");
  }
  path_ = strip_vcd(path) + ".vcd";
  sc_path_ = strip_vcd(path) + ".systemc.vcd";
  tf_ = sc_core::sc_create_vcd_trace_file((strip_vcd(path) + ".systemc").c_str());
  if (!tf_) throw Error(path + ": cannot create the VCD file");
  tf_->set_time_unit(1, sc_core::SC_NS);
  using sc_core::sc_trace;
  const std::string a = "km_array.";
  sc_trace(tf_, clk_i_, a + "clk_i");
  sc_trace(tf_, rst_ni_, a + "rst_ni");
  sc_trace(tf_, key_valid_i_, a + "key_valid_i");
  sc_trace(tf_, key_bit_i_, a + "key_bit_i");
  sc_trace(tf_, key_sealed_o_, a + "key_sealed_o");
  sc_trace(tf_, key_err_o_, a + "key_err_o");
  sc_trace(tf_, w_valid_i_, a + "w_valid_i");
  sc_trace(tf_, w_row_i_, a + "w_row_i", row_bits(g.rows));
  sc_trace(tf_, w_bank_i_, a + "w_bank_i");
  sc_trace(tf_, w_data_i_, a + "w_data_i");
  sc_trace(tf_, a_valid_i_, a + "a_valid_i");
  sc_trace(tf_, a_bank_i_, a + "a_bank_i");
  sc_trace(tf_, a_data_i_, a + "a_data_i");
  sc_trace(tf_, psum_valid_o_, a + "psum_valid_o");
  sc_trace(tf_, psum_data_o_, a + "psum_data_o");
  sc_trace(tf_, sram_weight_re_, "buf.sram_weight_re");
  sc_trace(tf_, sram_input_re_, "buf.sram_input_re");
  sc_trace(tf_, sram_accum_we_, "buf.sram_accum_we");
  sc_trace(tf_, fold_, "buf.fold", 32);
  sc_trace(tf_, layer_, "buf.layer", 32);
  sc_trace(tf_, cycle_, "buf.cycle", 64);
}

BoundaryTracer::~BoundaryTracer() {
  try {
    close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keymac: %s\n", e.what());
  }
}

void BoundaryTracer::close() {
  if (!tf_) return;
  sc_core::sc_close_vcd_trace_file(tf_);
  tf_ = nullptr;
  retime();
}

// SystemC's file -> the final one: header as is but "$timescale 1 ps $end";
// every timestamp mapped from simulated time to cycle * period (+ the half
// cycle); values dumped before the first sample merged into it; nothing after
// the last sampled cycle; a closing timestamp at its end.
void BoundaryTracer::retime() {
  std::ifstream in(sc_path_);
  std::ofstream out(path_, std::ios::trunc);
  if (!in || !out) throw Error(path_ + ": cannot rewrite the VCD file");
  std::string line;
  bool in_ts = false;
  while (std::getline(in, line)) {
    if (in_ts) {
      if (line.find("$end") != std::string::npos) in_ts = false;
      continue;
    }
    if (line.find("$timescale") != std::string::npos) {
      out << "$timescale 1 ps $end\n";
      in_ts = line.find("$end") == std::string::npos;
      continue;
    }
    out << line << '\n';
    if (line.find("$enddefinitions") != std::string::npos) break;
  }
  const uint64_t sim_cycle = 10, half = 5;  // KmSystem::cycle_time() in ns
  size_t k = 0;
  bool head = true, in_comment = false, done = samples_.empty();
  std::vector<std::pair<std::string, std::string>> pending;  // (id, value line) before the first sample's end
  auto flush = [&] {
    out << '#' << samples_.front().second * period_ps_ << '\n';
    for (const auto& [id, v] : pending) out << v << '\n';
    pending.clear();
    head = false;
  };
  while (!done && std::getline(in, line)) {
    if (line.empty()) continue;
    if (in_comment || line.rfind("$comment", 0) == 0) {
      in_comment = line.find("$end") == std::string::npos;
      continue;
    }
    if (line[0] == '$') continue;  // $dumpvars / $end markers
    if (line[0] == '#') {
      const uint64_t t = std::stoull(line.substr(1));
      if (head && t <= samples_.front().first) continue;  // merged into the first sample
      if (head) flush();
      while (k + 1 < samples_.size() && samples_[k + 1].first <= t) ++k;
      const uint64_t d = t - std::min(t, samples_[k].first);
      if (k + 1 == samples_.size() && d >= sim_cycle) {
        done = true;
        break;
      }
      out << '#' << samples_[k].second * period_ps_ + (d >= sim_cycle ? period_ps_ : d * period_ps_ / (2 * half)) << '\n';
      continue;
    }
    if (!head) {
      out << line << '\n';
      continue;
    }
    // Before the first sample ended: keep the last value per identifier.
    const auto sp = line.find(' ');
    const std::string id = line[0] == 'b' || line[0] == 'r' ? line.substr(sp + 1) : line.substr(1);
    bool found = false;
    for (auto& p : pending)
      if (p.first == id) {
        p.second = line;
        found = true;
      }
    if (!found) pending.push_back({id, line});
  }
  if (!samples_.empty()) {
    if (head) flush();
    out << '#' << (samples_.back().second + 1) * period_ps_ << '\n';
  }
  out.close();
  in.close();
  std::remove(sc_path_.c_str());
  if (!out) throw Error(path_ + ": error writing the VCD file");
}

void BoundaryTracer::sample(uint64_t cycle, const ArrayInputs& in, const ArrayOutputs& out,
                            uint32_t layer, int64_t fold) {
  key_valid_i_ = in.key_valid;
  key_bit_i_ = in.key_bit;
  key_sealed_o_ = out.key_sealed;
  key_err_o_ = out.key_err;
  w_valid_i_ = in.w_valid;
  w_row_i_ = in.w_row;
  w_bank_i_ = in.w_bank;
  for (int c = 0; c < g_.cols; ++c)
    w_data_i_.range(8 * c + 7, 8 * c) = static_cast<unsigned>(static_cast<uint8_t>(in.w_data[size_t(c)]));
  a_valid_i_ = in.a_valid;
  a_bank_i_ = in.a_bank;
  for (int r = 0; r < g_.rows; ++r)
    a_data_i_.range(8 * r + 7, 8 * r) = static_cast<unsigned>(static_cast<uint8_t>(in.a_data[size_t(r)]));
  psum_valid_o_ = out.psum_valid;
  for (int c = 0; c < g_.cols; ++c)
    psum_data_o_.range(32 * c + 31, 32 * c) = static_cast<unsigned>(out.psum_data[size_t(c)]);
  sram_weight_re_ = in.w_valid;
  sram_input_re_ = in.a_valid;
  sram_accum_we_ = out.psum_valid;
  const double ns = sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS);
  samples_.push_back({static_cast<uint64_t>(ns + 0.5), cycle});
  fold_ = fold < 0 ? 0u : static_cast<unsigned>(fold);
  layer_ = layer;
  cycle_ = cycle;
}

}  // namespace keymac
