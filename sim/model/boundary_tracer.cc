#include "sim/model/boundary_tracer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sim/core/error.h"

namespace keymac {

namespace {
int row_bits(int rows) {
  int b = 1;
  while ((1 << b) < rows) ++b;
  return b;
}
}  // namespace

BoundaryTracer::BoundaryTracer(const std::string& path, Geometry g, uint64_t from, uint64_t to, bool trace_key)
    : g_(g), trace_key_(trace_key), from_(from), to_(to), w_data_i_(8 * g.cols), a_data_i_(8 * g.rows),
      psum_data_o_(32 * g.cols) {
  if (to < from)
    throw Error("--trace-window: " + std::to_string(from) + ":" + std::to_string(to) +
                " is empty (FROM must not exceed TO)");
  // SystemC opens "<name>.vcd" itself, at the first traced time step; it gets
  // a symbolic link in a private directory to the write end of a pipe, and
  // copy_loop() streams the pipe into the output layer.
  out_ = std::make_unique<OutputFile>(path);
  link_dir_ = std::make_unique<TempDir>("keymac-vcd");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    release();
    throw Error(path + ": cannot create a pipe for the VCD: " + std::strerror(errno));
  }
  pipe_w_ = fds[1];
  const std::string link = link_dir_->file("trace.vcd");
  if (::symlink(("/proc/self/fd/" + std::to_string(pipe_w_)).c_str(), link.c_str()) != 0) {
    ::close(fds[0]);
    release();
    throw Error(link + ": cannot create: " + std::strerror(errno));
  }
  copier_ = std::thread([this, r = fds[0]] { copy_loop(r); });
  tf_ = sc_core::sc_create_vcd_trace_file(link_dir_->file("trace").c_str());
  if (!tf_) {
    release();
    throw Error(path + ": cannot create the VCD file");
  }
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
  } catch (const std::exception&) {  // reported by an explicit close() only
  }
}

void BoundaryTracer::copy_loop(int fd) {
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (failed_.load()) continue;  // keep draining so SystemC never blocks
    try {
      out_->write(buf, static_cast<size_t>(n));
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(err_mu_);
      err_ = e.what();
      failed_.store(true);
    }
  }
  ::close(fd);
}

// Ends the copy thread and removes the private directory (not the output).
void BoundaryTracer::release() {
  if (pipe_w_ >= 0) ::close(pipe_w_);
  pipe_w_ = -1;
  if (copier_.joinable()) copier_.join();
  link_dir_.reset();
}

void BoundaryTracer::close() {
  if (tf_) sc_core::sc_close_vcd_trace_file(tf_);
  tf_ = nullptr;
  release();
  if (!out_) return;
  std::unique_ptr<OutputFile> out = std::move(out_);
  if (failed_.load()) throw Error(err_);
  out->commit();
}

void BoundaryTracer::sample(uint64_t cycle, const ArrayInputs& in, const ArrayOutputs& out,
                            uint32_t layer, int64_t fold) {
  if (failed_.load()) {
    std::lock_guard<std::mutex> lock(err_mu_);
    throw Error(err_);
  }
  key_valid_i_ = in.key_valid;
  key_bit_i_ = trace_key_ && in.key_bit;  // scrubbed: the key never reaches the VCD
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
