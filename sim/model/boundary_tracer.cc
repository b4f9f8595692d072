#include "sim/model/boundary_tracer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "params/keymac_params.h"
#include "sim/core/error.h"

namespace keymac {

BoundaryTracer::BoundaryTracer(const std::string& path, Geometry g, uint64_t from, uint64_t to, uint64_t period_ps,
                               bool trace_key)
    : g_(g), trace_key_(trace_key), from_(from), to_(to), period_ps_(period_ps) {
  if (period_ps < 2 || period_ps % 2) throw Error("--clock-mhz: a cycle must be an even number of ps");
  if (to < from)
    throw Error("--trace-window: " + std::to_string(from) + ":" + std::to_string(to) +
                " is empty (FROM must not exceed TO)");
  // SystemC opens "<name>.vcd" itself, at the first traced time step; it gets
  // a symbolic link in a private directory to the write end of a pipe, and
  // copy_loop() streams the pipe into a raw file there (every write checked);
  // close() retimes the raw file into the output.
  out_ = std::make_unique<OutputFile>(path);
  link_dir_ = std::make_unique<TempDir>("keymac-vcd");
  raw_ = std::make_unique<OutputFile>(link_dir_->file("raw.vcd"), FileMode::kSecret);
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
  // The ports of sim/core/array_ports.h in table order, each traced with the
  // type of its field: one bit, the row index at its port width, or a bit
  // vector of lanes.
  ArrayInputs in0;
  ArrayOutputs out0;
  in0.resize(g);
  out0.resize(g);
  bv_.resize(kArrayPortCount);
  bit_[static_cast<size_t>(Port::rst_ni)] = true;
  for_each_port(g.rows, g.cols, in0, out0, [&](const PortDesc& d, Port id, const auto& field) {
    using T = std::decay_t<decltype(field)>;
    const auto k = static_cast<size_t>(id);
    const std::string name = std::string("km_array.") + d.name;
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, NoField>) {
      sc_trace(tf_, bit_[k], name);
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      sc_trace(tf_, uint_[k], name, d.width);
    } else {
      bv_[k] = std::make_unique<sc_dt::sc_bv_base>(d.width);
      sc_trace(tf_, *bv_[k], name);
    }
  });
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
      raw_->write(buf, static_cast<size_t>(n));
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
  raw_.reset();
  link_dir_.reset();
}

void BoundaryTracer::close() {
  if (tf_) sc_core::sc_close_vcd_trace_file(tf_);
  tf_ = nullptr;
  if (pipe_w_ >= 0) ::close(pipe_w_);
  pipe_w_ = -1;
  if (copier_.joinable()) copier_.join();
  if (!out_) {
    release();
    return;
  }
  std::unique_ptr<OutputFile> out = std::move(out_);
  try {
    if (failed_.load()) throw Error(err_);
    raw_->commit();
    retime(*out);
  } catch (...) {
    release();
    throw;
  }
  release();
  out->commit();
}

// SystemC's file -> the final one: header as is but "$timescale 1 ps $end";
// every timestamp mapped from simulated time to cycle * period (+ the half
// cycle); values dumped before the first sample merged into it; nothing after
// the last sampled cycle; a closing timestamp at its end.
void BoundaryTracer::retime(OutputFile& dst) {
  const std::string raw = link_dir_->file("raw.vcd");
  std::ifstream in(raw);
  if (!in) throw Error(raw + ": cannot read the raw VCD");
  std::ostream& out = dst.stream();
  std::string line;
  bool in_ts = false;
  // Widths by identifier: SystemC drops a vector's leading zeros ("b101" for
  // 32 bits), which IEEE 1364 allows (left-extension), but OpenSTA's read_vcd
  // aligns a short value to the MSB and spreads a one-digit value over every
  // bit, so it counted toggles that never happened. Values are written at
  // full width, extended as the standard says (0 for 0/1, else x or z).
  std::map<std::string, size_t> width;
  auto full = [&width](const std::string& l) {
    const auto sp = l.find(' ');
    if (l.empty() || l[0] != 'b' || sp == std::string::npos) return l;
    const auto it = width.find(l.substr(sp + 1));
    const size_t n = sp - 1;
    if (it == width.end() || n >= it->second) return l;
    const char ext = l[1] == 'x' || l[1] == 'X' || l[1] == 'z' || l[1] == 'Z' ? l[1] : '0';
    return "b" + std::string(it->second - n, ext) + l.substr(1);
  };
  while (std::getline(in, line)) {
    if (line.rfind("$var", 0) == 0) {  // $var <type> <width> <id> <name> ... $end
      std::istringstream vs(line);
      std::string kw, type, id;
      size_t w = 0;
      if (vs >> kw >> type >> w >> id && w > 1) width[id] = w;
    }
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
  const uint64_t sim_cycle = 10, half = 5;  // the accelerator's 10 ns clock (KmAccelContext refuses a trace at another period)
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
      out << full(line) << '\n';
      continue;
    }
    // Before the first sample ended: keep the last value per identifier.
    const auto sp = line.find(' ');
    const std::string id = line[0] == 'b' || line[0] == 'r' ? line.substr(sp + 1) : line.substr(1);
    bool found = false;
    for (auto& p : pending)
      if (p.first == id) {
        p.second = full(line);
        found = true;
      }
    if (!found) pending.push_back({id, full(line)});
  }
  if (!samples_.empty()) {
    if (head) flush();
    out << '#' << (samples_.back().second + 1) * period_ps_ << '\n';
  }
  if (in.bad()) throw Error(raw + ": read error");
  dst.check();
}

void BoundaryTracer::sample(uint64_t cycle, const ArrayInputs& in, const ArrayOutputs& out,
                            uint32_t layer, int64_t fold) {
  if (failed_.load()) {
    std::lock_guard<std::mutex> lock(err_mu_);
    throw Error(err_);
  }
  for_each_port(g_.rows, g_.cols, in, out, [&](const PortDesc&, Port id, const auto& field) {
    using T = std::decay_t<decltype(field)>;
    const auto k = static_cast<size_t>(id);
    if constexpr (std::is_same_v<T, bool>) {
      bit_[k] = field;
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      uint_[k] = field;
    } else if constexpr (!std::is_same_v<T, NoField>) {
      const auto b = static_cast<int>(8 * sizeof(typename T::value_type));
      for (size_t l = 0; l < field.size(); ++l)
        bv_[k]->range(b * static_cast<int>(l) + b - 1, b * static_cast<int>(l)) =
            static_cast<unsigned>(port_lanes::lane(field, l));
    }
  });
  bit_[static_cast<size_t>(Port::key_bit_i)] = trace_key_ && in.key_bit;  // scrubbed: the key never reaches the VCD
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
