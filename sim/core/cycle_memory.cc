#include "sim/core/cycle_memory.h"

#include <algorithm>
#include <cstdint>
#include <vector>
#include <cmath>
#include <deque>

#include "sim/core/error.h"

namespace keymac {

namespace {

constexpr int64_t kNever = INT64_MAX;

struct Read {
  uint64_t bytes = 0;
  int64_t issue = kNever;  // cycle the request is issued (its SRAM slot is free)
  int64_t ready = kNever;  // cycle its data is on chip
};

struct Block {
  int64_t fold, row0, rows;
  size_t read;  // index into the read list
};

}  // namespace

CycleMemorySystem::CycleMemorySystem(Geometry g, MemoryConfig config) : g_(g), cfg_(config) {
  cfg_.validate(g_);
}

LayerPlan CycleMemorySystem::run(GemmShape shape) const {
  const Schedule sched(shape, g_);
  const int64_t R = g_.rows, C = g_.cols, M = shape.m, K = shape.k, N = shape.n;
  const int64_t Kt = sched.k_tiles(), F = sched.folds(), P = sched.period();
  const int64_t nb = (M + R - 1) / R;
  const int64_t wslots = std::max<int64_t>(1, static_cast<int64_t>(cfg_.weight_sram_bytes / (uint64_t(R) * C)));
  const int64_t islots = std::max<int64_t>(1, static_cast<int64_t>(cfg_.input_sram_bytes / (uint64_t(R) * R)));
  const int64_t acc_rows = std::max<int64_t>(R, static_cast<int64_t>(cfg_.accum_sram_bytes / (4 * uint64_t(C))));
  const bool x_resident = Kt * nb <= islots;

  // The reads in program order: fold f's weight tile, then its input blocks.
  std::vector<Read> reads;
  std::vector<size_t> wread(static_cast<size_t>(F));
  std::vector<Block> blocks;
  for (int64_t f = 0; f < F; ++f) {
    const int64_t kt = f % Kt, nt = f / Kt;
    const int64_t kv = std::min(R, K - kt * R), cv = std::min(C, N - nt * C);
    wread[static_cast<size_t>(f)] = reads.size();
    Read w;
    w.bytes = static_cast<uint64_t>(kv * cv);
    if (f < wslots) w.issue = 0;
    reads.push_back(w);
    for (int64_t b = 0; b < nb; ++b) {
      const int64_t row0 = b * R, rows = std::min(R, M - row0);
      Read in;
      if (!x_resident || nt == 0) in.bytes += static_cast<uint64_t>(rows * kv);
      const int64_t spilled = std::max<int64_t>(0, row0 + rows - std::max(row0, acc_rows));
      if (kt > 0 && spilled > 0) in.bytes += static_cast<uint64_t>(spilled * cv * 4);
      const int64_t g = f * nb + b;
      if (x_resident || g < islots) in.issue = 0;  // otherwise: when block g - islots is out
      blocks.push_back({f, row0, rows, reads.size()});
      reads.push_back(in);
    }
  }
  uint64_t read_bytes = 0, write_bytes = 0;
  for (const Read& r : reads) read_bytes += r.bytes;
  auto issue = [&](Read& r, int64_t when) {
    r.issue = when;
    if (r.bytes == 0 || cfg_.ideal) r.ready = when;
  };
  for (Read& r : reads)
    if (r.issue != kNever) issue(r, r.issue);

  struct Write {
    int64_t when;
    uint64_t bytes;
  };
  std::deque<Write> writes;
  size_t head = 0;  // oldest read not yet started on the channel
  int64_t chan_free = 0;
  auto xfer = [&](uint64_t bytes) {
    return static_cast<int64_t>(std::ceil(static_cast<double>(bytes) / cfg_.dram_bytes_per_cycle));
  };

  LayerPlan plan;
  plan.shape = shape;
  plan.geometry = g_;
  plan.folds.resize(static_cast<size_t>(F));
  std::vector<int64_t> w_at(static_cast<size_t>(F), kNever), last_act(static_cast<size_t>(F), kNever);
  int64_t next_fold = 0;   // weight loader
  size_t next_block = 0;   // presenter
  int64_t rows_out = 0;    // presenter busy until this cycle
  const int64_t limit = int64_t(1) << 40;
  for (int64_t now = 0; next_block < blocks.size(); ++now) {
    if (now > limit) throw Error("cycle memory model: layer does not finish");
    // Reads with no bytes (or ideal memory) never use the channel: on chip
    // when issued (set below, where they are issued).
    while (head < reads.size() && (reads[head].bytes == 0 || cfg_.ideal)) ++head;
    // DRAM channel.
    if (!cfg_.ideal && chan_free <= now) {
      if (!writes.empty() && writes.front().when <= now) {
        chan_free = now + xfer(writes.front().bytes);
        writes.pop_front();
      } else if (head < reads.size() && reads[head].issue <= now) {
        chan_free = now + xfer(reads[head].bytes);
        reads[head].ready = chan_free + cfg_.dram_latency_cycles;
        ++head;
      }
    }
    // Weight loader.
    if (next_fold < F) {
      const auto f = static_cast<size_t>(next_fold);
      const bool period_ok = next_fold == 0 || now >= w_at[f - 1] + P;
      const bool bank_ok = next_fold < 2 || (last_act[f - 2] != kNever && last_act[f - 2] < now);
      if (period_ok && bank_ok && reads[wread[f]].ready <= now) {
        w_at[f] = now;
        plan.folds[f].w_start = now;
        if (next_fold + wslots < F) issue(reads[wread[f + static_cast<size_t>(wslots)]], now + R);
        ++next_fold;
      }
    }
    // Activation presenter.
    if (now >= rows_out) {
      const Block& b = blocks[next_block];
      const auto f = static_cast<size_t>(b.fold);
      if (w_at[f] != kNever && now >= w_at[f] + 1 && reads[b.read].ready <= now) {
        auto& acts = plan.folds[f].acts;
        if (!acts.empty() && acts.back().start + acts.back().rows == now)
          acts.back().rows += b.rows;
        else
          acts.push_back({now, b.row0, b.rows});
        rows_out = now + b.rows;
        if (b.row0 + b.rows == M) last_act[f] = rows_out - 1;
        const size_t g = next_block;
        if (!x_resident && g + static_cast<size_t>(islots) < blocks.size())
          issue(reads[blocks[g + static_cast<size_t>(islots)].read], rows_out);
        const int64_t kt = b.fold % Kt, nt = b.fold / Kt;
        const int64_t cv = std::min(C, N - nt * C);
        const int64_t spilled = std::max<int64_t>(0, b.row0 + b.rows - std::max(b.row0, acc_rows));
        const int64_t out_done = rows_out - 1 + R + C;
        uint64_t wb = 0;
        if (kt == Kt - 1)
          wb = static_cast<uint64_t>(b.rows * cv * 4);
        else if (spilled > 0)
          wb = static_cast<uint64_t>(spilled * cv * 4);
        if (wb > 0) {
          write_bytes += wb;
          if (!cfg_.ideal) writes.push_back({out_done, wb});
        }
        ++next_block;
      }
    }
  }
  plan.cycles = last_act[static_cast<size_t>(F - 1)] + R + C;
  plan.stall_cycles = plan.cycles - sched.cycles();
  plan.counters["dram.read_bytes"] = read_bytes;
  plan.counters["dram.write_bytes"] = write_bytes;
  return plan;
}

}  // namespace keymac
