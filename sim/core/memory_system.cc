#include "sim/core/memory_system.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "sim/core/error.h"

namespace keymac {

namespace {

std::string kib(uint64_t bytes) {
  // Buffer sizes are configured in KiB; print them the same way.
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024);
  return std::to_string(static_cast<double>(bytes) / 1024.0);
}

// One in-order DRAM channel: a read of B bytes issued in cycle `issue` starts
// when the channel is free, occupies it ceil(B / bw) cycles and its data is on
// chip `latency` cycles after the transfer ends. Output writes are posted:
// they occupy the channel from their cycle on (before any later read) but
// nobody waits for them.
class DramChannel {
 public:
  DramChannel(const MemoryConfig& c) : ideal_(c.ideal), bw_(c.dram_bytes_per_cycle),
                                       latency_(c.dram_latency_cycles) {}
  int64_t read(int64_t issue, uint64_t bytes) {
    read_bytes_ += bytes;
    if (ideal_ || bytes == 0) return issue;
    drain_writes(std::max(issue, free_));
    const int64_t start = std::max(issue, free_);
    free_ = start + xfer(bytes);
    return free_ + latency_;
  }
  void write(int64_t when, uint64_t bytes) {
    if (bytes == 0) return;
    write_bytes_ += bytes;
    if (!ideal_) writes_.push_back({when, bytes});
  }
  uint64_t read_bytes() const { return read_bytes_; }
  uint64_t write_bytes() const { return write_bytes_; }

 private:
  struct W { int64_t when; uint64_t bytes; };
  int64_t xfer(uint64_t bytes) const {
    return static_cast<int64_t>(std::ceil(static_cast<double>(bytes) / bw_));
  }
  void drain_writes(int64_t upto) {
    while (!writes_.empty() && writes_.front().when <= std::max(upto, free_)) {
      free_ = std::max(free_, writes_.front().when) + xfer(writes_.front().bytes);
      writes_.pop_front();
    }
  }
  bool ideal_;
  double bw_;
  int64_t latency_;
  int64_t free_ = 0;
  std::deque<W> writes_;
  uint64_t read_bytes_ = 0, write_bytes_ = 0;
};

}  // namespace

void MemoryConfig::validate(Geometry g) const {
  if (!std::isfinite(dram_bytes_per_cycle) || dram_bytes_per_cycle <= 0)
    throw Error("memory: dram_bytes_per_cycle must be a positive number (got " +
                std::to_string(dram_bytes_per_cycle) + ")");
  if (dram_bytes_per_cycle < 1.0 / 1024 || dram_bytes_per_cycle > 1e6)
    throw Error("memory: dram_bytes_per_cycle = " + std::to_string(dram_bytes_per_cycle) +
                " is out of range (1/1024 .. 1e6 bytes per cycle)");
  if (dram_latency_cycles > 1000000)
    throw Error("memory: dram_latency_cycles = " + std::to_string(dram_latency_cycles) +
                " is out of range (0 .. 1000000)");
  if (ideal) return;
  auto check = [&](uint64_t have, uint64_t tile, const char* name, const std::string& what) {
    if (have < tile)
      throw Error(std::string("memory: ") + name + " = " + kib(have) + " KiB is smaller than one " +
                  what + " for a " + g.str() + " array (" + std::to_string(tile) + " bytes)");
  };
  check(weight_sram_bytes, weight_tile_bytes(g), "weight_sram_kib", "weight tile (R*C int8)");
  check(input_sram_bytes, input_tile_bytes(g), "input_sram_kib", "input tile (R rows of R int8)");
  check(accum_sram_bytes, accum_tile_bytes(g), "accum_sram_kib",
        "accumulator tile (R rows of C int32)");
}

MemorySystem::MemorySystem(Geometry g, MemoryConfig config) : g_(g), cfg_(config) {
  cfg_.validate(g_);
}

LayerPlan MemorySystem::plan(GemmShape shape) const {
  const Schedule sched(shape, g_);
  const int64_t R = g_.rows, C = g_.cols, M = shape.m, K = shape.k, N = shape.n;
  const int64_t Kt = sched.k_tiles(), F = sched.folds(), P = sched.period();
  const int64_t nb = (M + R - 1) / R;  // input blocks (R activation rows) per fold

  // Buffer capacities in tiles; with ideal memory a too-small buffer counts as one tile.
  const int64_t wslots = std::max<int64_t>(1, static_cast<int64_t>(cfg_.weight_sram_bytes /
                                                                   MemoryConfig::weight_tile_bytes(g_)));
  const int64_t islots = std::max<int64_t>(1, static_cast<int64_t>(cfg_.input_sram_bytes /
                                                                   MemoryConfig::input_tile_bytes(g_)));
  const int64_t acc_rows = std::max<int64_t>(R, static_cast<int64_t>(cfg_.accum_sram_bytes / (4 * C)));
  // Whole (padded) X on chip: every input block is fetched once, at its first use.
  const bool x_resident = Kt * nb <= islots;

  DramChannel dram(cfg_);
  LayerPlan plan;
  plan.shape = shape;
  plan.geometry = g_;
  plan.folds.resize(static_cast<size_t>(F));
  std::vector<int64_t> w_free(static_cast<size_t>(F));  // weight slot free after W_f + R
  std::vector<int64_t> b_free;                            // input slot free (streaming mode)
  if (!x_resident) b_free.resize(static_cast<size_t>(F * nb));
  uint64_t w_sram_w = 0, w_sram_r = 0, i_sram_w = 0, i_sram_r = 0, a_sram_w = 0, a_sram_r = 0;

  int64_t prev_w = 0, last_a1 = -1, last_a2 = -1;  // last act row of folds f-1, f-2
  for (int64_t f = 0; f < F; ++f) {
    const int64_t kt = f % Kt, nt = f / Kt;
    const int64_t kv = std::min(R, K - kt * R), cv = std::min(C, N - nt * C);
    FoldTiming& ft = plan.folds[static_cast<size_t>(f)];

    // Weight tile: prefetched as soon as its SRAM slot is free.
    const int64_t w_issue = f >= wslots ? w_free[static_cast<size_t>(f - wslots)] : 0;
    const int64_t w_ready = dram.read(w_issue, static_cast<uint64_t>(kv * cv));
    w_sram_w += static_cast<uint64_t>(kv);
    w_sram_r += static_cast<uint64_t>(kv);
    int64_t w = f == 0 ? 0 : prev_w + P;
    w = std::max({w, w_ready, last_a2 + 1});
    ft.w_start = w;
    w_free[static_cast<size_t>(f)] = w + R;

    // Activation blocks of R rows.
    int64_t t = std::max(w + 1, last_a1 + 1);
    for (int64_t b = 0; b < nb; ++b) {
      const int64_t row0 = b * R, rows = std::min(R, M - row0);
      const int64_t g = f * nb + b;
      uint64_t bytes = 0;
      int64_t issue = 0;
      const bool fetch = !x_resident || nt == 0;
      if (fetch) {
        bytes += static_cast<uint64_t>(rows * kv);
        i_sram_w += static_cast<uint64_t>(rows);
        if (!x_resident && g >= islots) issue = b_free[static_cast<size_t>(g - islots)];
      }
      const int64_t spilled = std::max<int64_t>(0, row0 + rows - std::max(row0, acc_rows));
      if (kt > 0 && spilled > 0) bytes += static_cast<uint64_t>(spilled * cv * 4);
      const int64_t ready = dram.read(issue, bytes);
      const int64_t start = std::max(t, ready);
      if (!ft.acts.empty() && ft.acts.back().start + ft.acts.back().rows == start)
        ft.acts.back().rows += rows;
      else
        ft.acts.push_back({start, row0, rows});
      t = start + rows;
      if (!x_resident) b_free[static_cast<size_t>(g)] = t;
      i_sram_r += static_cast<uint64_t>(rows);
      // Accumulator: the first K-tile writes, later ones read-modify-write.
      a_sram_w += static_cast<uint64_t>(rows);
      if (kt > 0) a_sram_r += static_cast<uint64_t>(rows);
      const int64_t out_done = t - 1 + R + C;  // cycle after the block's last output
      if (kt == Kt - 1) {
        a_sram_r += static_cast<uint64_t>(rows);  // read out for write-back
        dram.write(out_done, static_cast<uint64_t>(rows * cv * 4));
      } else if (spilled > 0) {
        dram.write(out_done, static_cast<uint64_t>(spilled * cv * 4));
      }
    }
    last_a2 = last_a1;
    last_a1 = t - 1;
    prev_w = w;
  }
  plan.cycles = last_a1 + R + C;
  plan.stall_cycles = plan.cycles - sched.cycles();
  auto& c = plan.counters;
  c["sram.weight.writes"] = w_sram_w;
  c["sram.weight.reads"] = w_sram_r;
  c["sram.input.writes"] = i_sram_w;
  c["sram.input.reads"] = i_sram_r;
  c["sram.accum.writes"] = a_sram_w;
  c["sram.accum.reads"] = a_sram_r;
  c["dram.read_bytes"] = dram.read_bytes();
  c["dram.write_bytes"] = dram.write_bytes();
  c["array.weight_rows"] = static_cast<uint64_t>(F * R);
  c["array.act_rows"] = static_cast<uint64_t>(F * M);
  return plan;
}

}  // namespace keymac
