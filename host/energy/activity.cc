#include "host/energy/activity.h"

#include <algorithm>
#include <vector>

#include "sim/core/keyed_gemm.h"
#include "sim/core/schedule.h"

namespace keymac {

namespace {
inline uint64_t pc(uint32_t v) { return static_cast<uint64_t>(__builtin_popcount(v)); }
}  // namespace

LayerActivity& LayerActivity::operator+=(const LayerActivity& o) {
  folds += o.folds;
  cycles += o.cycles;
  macs += o.macs;
  macs_zero_operand += o.macs_zero_operand;
  array_macs += o.array_macs;
  array_macs_zero_operand += o.array_macs_zero_operand;
  act_reg_toggles += o.act_reg_toggles;
  weight_reg_toggles += o.weight_reg_toggles;
  psum_reg_toggles += o.psum_reg_toggles;
  weight_reg_writes += o.weight_reg_writes;
  key_xor_ops += o.key_xor_ops;
  key_bit_writes += o.key_bit_writes;
  cipher_cycles += o.cipher_cycles;
  sram_weight_reads += o.sram_weight_reads;
  sram_weight_writes += o.sram_weight_writes;
  sram_input_reads += o.sram_input_reads;
  sram_input_writes += o.sram_input_writes;
  sram_accum_reads += o.sram_accum_reads;
  sram_accum_writes += o.sram_accum_writes;
  dram_read_bytes += o.dram_read_bytes;
  dram_write_bytes += o.dram_write_bytes;
  memory_from_backend = memory_from_backend || o.memory_from_backend;
  return *this;
}

std::map<std::string, uint64_t> LayerActivity::counters() const {
  return {{"activity.cycles", cycles},
          {"activity.macs", macs},
          {"activity.macs_zero_operand", macs_zero_operand},
          {"activity.array_macs", array_macs},
          {"activity.array_macs_zero_operand", array_macs_zero_operand},
          {"activity.act_reg_toggles", act_reg_toggles},
          {"activity.weight_reg_toggles", weight_reg_toggles},
          {"activity.weight_reg_writes", weight_reg_writes},
          {"activity.psum_reg_toggles", psum_reg_toggles},
          {"activity.key_xor_ops", key_xor_ops},
          {"activity.key_bit_writes", key_bit_writes},
          {"activity.cipher_cycles", cipher_cycles},
          {"sram.weight.reads", sram_weight_reads},
          {"sram.weight.writes", sram_weight_writes},
          {"sram.input.reads", sram_input_reads},
          {"sram.input.writes", sram_input_writes},
          {"sram.accum.reads", sram_accum_reads},
          {"sram.accum.writes", sram_accum_writes},
          {"dram.read_bytes", dram_read_bytes},
          {"dram.write_bytes", dram_write_bytes}};
}

void estimate_memory(GemmShape s, Geometry g, LayerActivity& a) {
  const Schedule sch(s, g);
  const uint64_t M = static_cast<uint64_t>(s.m), K = static_cast<uint64_t>(s.k), N = static_cast<uint64_t>(s.n);
  const uint64_t Kt = static_cast<uint64_t>(sch.k_tiles()), Nt = static_cast<uint64_t>(sch.n_tiles());
  uint64_t wrows = 0;  // weight rows actually holding weights, over all folds
  for (int64_t f = 0; f < sch.folds(); ++f)
    wrows += static_cast<uint64_t>(std::min<int64_t>(g.rows, s.k - sch.fold(f).kt * g.rows));
  a.sram_weight_writes = wrows;
  a.sram_weight_reads = wrows;
  a.sram_input_writes = Kt * M;
  a.sram_input_reads = Kt * Nt * M;
  a.sram_accum_writes = Kt * Nt * M;
  a.sram_accum_reads = (Kt - 1) * Nt * M + Nt * M;
  a.dram_read_bytes = K * N + M * K;
  a.dram_write_bytes = 4 * M * N;
  a.memory_from_backend = false;
}

namespace {
// ws: the weights as the PEs apply them (effective_weights of the job's key).
LayerActivity measure(const GemmJob& job, Geometry g, bool keyed, const std::vector<int16_t>& ws, const LayerStats& stats) {
  const GemmShape s = job.shape;
  const int64_t M = s.m, K = s.k, N = s.n, R = g.rows, C = g.cols;
  const Schedule sch(s, g);
  const int64_t F = sch.folds(), Kt = sch.k_tiles(), P = sch.period();
  LayerActivity a;
  a.name = job.layer;
  a.shape = s;
  a.folds = static_cast<uint64_t>(F);
  a.cycles = stats.cycles;
  a.macs = static_cast<uint64_t>(s.macs());
  a.array_macs = static_cast<uint64_t>(F * M * R * C);
  a.weight_reg_writes = static_cast<uint64_t>(F * R * C);
  a.key_xor_ops = keyed ? a.array_macs : 0;

  // Zero operands: per k, zero activations zx and zero weights zw.
  uint64_t nonzero_products = 0;
  {
    std::vector<int64_t> zx(static_cast<size_t>(K), 0);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t k = 0; k < K; ++k) zx[static_cast<size_t>(k)] += job.x[m * K + k] == 0;
    for (int64_t k = 0; k < K; ++k) {
      int64_t zw = 0;
      for (int64_t n = 0; n < N; ++n) zw += job.w[k * N + n] == 0;
      const int64_t z = zx[static_cast<size_t>(k)];
      a.macs_zero_operand += static_cast<uint64_t>(z * N + zw * M - z * zw);
      nonzero_products += static_cast<uint64_t>((M - z) * (N - zw));
    }
  }
  a.array_macs_zero_operand = a.array_macs - nonzero_products;

  // Weight banks: bank f%2 of PE (r,c) goes from fold f-2's weight to fold f's.
  auto wval = [&](int64_t f, int64_t r, int64_t c) -> uint8_t {
    if (f < 0) return 0;
    const Fold fo = sch.fold(f);
    const int64_t k = fo.kt * R + r, n = fo.nt * C + c;
    return k < K && n < N ? static_cast<uint8_t>(job.w[k * N + n]) : 0;
  };
  for (int64_t f = 0; f < F; ++f)
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) a.weight_reg_toggles += pc(wval(f, r, c) ^ wval(f - 2, r, c));

  // Activation and psum registers: PE (r, c) holds, one slot after another,
  // the activation / prefix sum of the row presented in each cycle (0 for an
  // idle slot). Slots follow the ideal schedule: S_f + i, idle when P > M.
  std::vector<uint8_t> prev_a(static_cast<size_t>(R), 0);
  std::vector<uint32_t> prev_p(static_cast<size_t>(R * C), 0), cur(static_cast<size_t>(C));
  uint64_t act_row_toggles = 0;
  auto idle_slot = [&] {
    for (auto& v : prev_a) {
      act_row_toggles += pc(v);
      v = 0;
    }
    for (auto& v : prev_p) {
      a.psum_reg_toggles += pc(v);
      v = 0;
    }
  };
  for (int64_t f = 0; f < F; ++f) {
    const Fold fo = sch.fold(f);
    const int64_t k0 = fo.kt * R, n0 = fo.nt * C;
    const int64_t kv = std::min(R, K - k0), cv = std::min(C, N - n0);
    for (int64_t i = 0; i < M; ++i) {
      const int8_t* xr = job.x + i * K + k0;
      std::fill(cur.begin(), cur.end(), 0u);
      for (int64_t r = 0; r < R; ++r) {
        const uint8_t av = r < kv ? static_cast<uint8_t>(xr[r]) : 0;
        act_row_toggles += pc(av ^ prev_a[static_cast<size_t>(r)]);
        prev_a[static_cast<size_t>(r)] = av;
        uint32_t* pp = prev_p.data() + r * C;
        if (r < kv && av != 0) {
          const int16_t* wr = ws.data() + (k0 + r) * N + n0;
          const int32_t x = static_cast<int8_t>(av);
          for (int64_t c = 0; c < cv; ++c) cur[static_cast<size_t>(c)] += static_cast<uint32_t>(x * wr[c]);
        }
        for (int64_t c = 0; c < C; ++c) {
          a.psum_reg_toggles += pc(cur[static_cast<size_t>(c)] ^ pp[c]);
          pp[c] = cur[static_cast<size_t>(c)];
        }
      }
    }
    if (P > M || f == F - 1) idle_slot();
  }
  (void)Kt;
  a.act_reg_toggles = act_row_toggles * static_cast<uint64_t>(C);

  const auto& sc = stats.counters;
  if (sc.count("sram.weight.reads")) {
    auto get = [&](const char* k) { auto it = sc.find(k); return it == sc.end() ? uint64_t{0} : it->second; };
    a.sram_weight_reads = get("sram.weight.reads");
    a.sram_weight_writes = get("sram.weight.writes");
    a.sram_input_reads = get("sram.input.reads");
    a.sram_input_writes = get("sram.input.writes");
    a.sram_accum_reads = get("sram.accum.reads");
    a.sram_accum_writes = get("sram.accum.writes");
    a.dram_read_bytes = get("dram.read_bytes");
    a.dram_write_bytes = get("dram.write_bytes");
    a.memory_from_backend = true;
  } else {
    estimate_memory(s, g, a);
  }
  return a;
}

}  // namespace

LayerActivity measure_activity(const GemmJob& job, Geometry g, const Key* key, const LayerStats& stats) {
  return measure(job, g, key != nullptr, effective_weights(job.w, job.shape.k, job.shape.n, g, key), stats);
}

LayerActivity measure_activity(const GemmJob& job, Geometry g, const KeySource* key, const LayerStats& stats) {
  LayerActivity a =
      measure(job, g, key != nullptr, effective_weights(job.w, job.shape.k, job.shape.n, key, job.layer_index), stats);
  if (key && key->mode() == KeyMode::kExpanded) {
    a.key_bit_writes = a.folds * key->key_bit_writes_per_fold();
    a.cipher_cycles = key->warmup_cycles() + a.folds * static_cast<uint64_t>(g.rows);
  }
  return a;
}

}  // namespace keymac
