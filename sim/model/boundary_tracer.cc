#include "sim/model/boundary_tracer.h"

#include <fstream>

#include "params/keymac_params.h"
#include "sim/core/error.h"

namespace keymac {

namespace {
std::string strip_vcd(const std::string& p) {
  // sc_create_vcd_trace_file appends ".vcd".
  if (p.size() > 4 && p.compare(p.size() - 4, 4, ".vcd") == 0) return p.substr(0, p.size() - 4);
  return p;
}
}  // namespace

BoundaryTracer::BoundaryTracer(const std::string& path, Geometry g, uint64_t from, uint64_t to)
    : g_(g), from_(from), to_(to), w_data_i_(8 * g.cols), a_data_i_(8 * g.rows),
      psum_data_o_(32 * g.cols) {
  if (to < from)
    throw Error("--trace-window: " + std::to_string(from) + ":" + std::to_string(to) +
                " is empty (FROM must not exceed TO)");
  {
    std::ofstream probe(strip_vcd(path) + ".vcd", std::ios::app);
    if (!probe) throw Error(path + ": cannot write the VCD file");
  }
  tf_ = sc_core::sc_create_vcd_trace_file(strip_vcd(path).c_str());
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
  sc_trace(tf_, w_row_i_, a + "w_row_i", params::index_width(g.rows));
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

BoundaryTracer::~BoundaryTracer() { close(); }

void BoundaryTracer::close() {
  if (tf_) sc_core::sc_close_vcd_trace_file(tf_);
  tf_ = nullptr;
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
  fold_ = fold < 0 ? 0u : static_cast<unsigned>(fold);
  layer_ = layer;
  cycle_ = cycle;
}

}  // namespace keymac
