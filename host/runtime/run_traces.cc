#include "host/runtime/run_traces.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "host/energy/accelergy.h"
#include "host/energy/activity_probe.h"
#include "host/energy/energy_model.h"
#include "host/runtime/evaluator.h"
#include "host/runtime/int8_runner.h"
#include "sim/core/atomic_file.h"
#include "sim/core/memory_system.h"
#include "traces/array_tracer.h"
#include "traces/saif_writer.h"
#include "traces/scalesim_trace.h"

namespace keymac {

namespace {

traces::TraceLimits trace_limits(const RunConfig& cfg) {
  traces::TraceLimits lim;
  lim.window_from = cfg.backend_options.trace.window_from;
  lim.window_to = cfg.backend_options.trace.window_to;
  lim.limit_bytes = cfg.trace_limit_mb << 20;
  lim.force = cfg.force_trace;
  return lim;
}

// Forwards to a backend and replays the key load and every GEMM on the cycle
// core (traces::ArrayTracer, global cycles from the key load) into a SAIF of
// the km_array boundary. Only keyed resets are traced.
class SaifTap : public ArrayBackend {
 public:
  // One cycle lasts `period_ps` picoseconds in the SAIF (the --clock-mhz period, rounded to an even ps).
  SaifTap(std::unique_ptr<ArrayBackend> inner, const std::string& path, const traces::TraceLimits& lim, uint64_t period_ps,
          bool trace_key)
      : inner_(std::move(inner)), saif_(path, lim, "km_array"), trace_key_(trace_key) {
    timing_.period = period_ps;
  }
  std::string name() const override { return inner_->name(); }
  Geometry geometry() const override { return inner_->geometry(); }
  void reset(const KeySource* key) override {
    inner_->reset(key);
    if (!key || tracer_) return;
    // A SAIF's size does not depend on the cycles, so no last cycle is promised.
    tracer_ = std::make_unique<traces::ArrayTracer>(geometry(), true, std::vector<traces::TraceSink*>{&saif_},
                                                    timing_, std::numeric_limits<uint64_t>::max() - 1);
    tracer_->scrub_key(!trace_key_);  // key_bit_i constant unless --trace-key
    tracer_->load_key(key->bits());
  }
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override {
    LayerStats st = inner_->run_gemm(job, y);
    if (tracer_) {
      const Geometry g = geometry();
      tracer_->run_layer(GemmProblem{job.shape, job.x, job.w, g}, MemorySystem(g, MemoryConfig{}).plan(job.shape));
    }
    return st;
  }
  void finish() override {
    inner_->finish();
    if (tracer_) tracer_->finish();
  }

 private:
  std::unique_ptr<ArrayBackend> inner_;
  traces::SaifWriter saif_;
  traces::TraceTiming timing_;
  std::unique_ptr<traces::ArrayTracer> tracer_;
  bool trace_key_;
};

}  // namespace

nlohmann::json energy_and_traces(const RunConfig& cfg, const QuantModel& locked, const QuantModel& unlocked,
                                 const KeySource& key, const ImageSet& test, const BackendFactory& make, Geometry g,
                                 nlohmann::json* scalesim_note) {
  const bool energy = cfg.energy || !cfg.accelergy_out.empty() || !cfg.accelergy_dir.empty();
  // With the RTL backend, the RTL itself writes the SAIF (of its hierarchy) during the evaluation.
  const bool direct_saif = !cfg.saif_path.empty() && cfg.backend != "rtl";
  if (!energy && cfg.scalesim_dir.empty() && !direct_saif) return nullptr;
  const EnergyTable table = cfg.energy_table.empty() ? EnergyTable{} : EnergyTable::load(cfg.energy_table);
  const int64_t b = std::min<int64_t>(cfg.batch, test.count);
  if (b < 1) return nullptr;
  EnergyInputs in;
  in.geometry = g;
  in.batch_images = b;
  in.images_per_reset = test.count;
  for (const bool keyed : {true, false}) {
    if (!keyed && !energy) continue;  // only the energy compares with the plain array
    const EvalSpec spec = keyed ? EvalSpec{"energy_keyed", &locked, nullptr, &key} : EvalSpec{"energy_plain", &unlocked, nullptr};
    std::unique_ptr<ArrayBackend> backend = make(spec);
    if (keyed && direct_saif)
      backend = std::make_unique<SaifTap>(std::move(backend), cfg.saif_path, trace_limits(cfg),
                                          2 * static_cast<uint64_t>(std::max(1.0, std::round(5e5 / cfg.clock_mhz))), cfg.trace_key);
    ActivityProbe probe(std::move(backend));
    probe.reset(keyed ? &key : nullptr);
    {
      Int8Runner runner(keyed ? locked : unlocked, probe);
      run_samples(runner, test, 0, b);
    }
    probe.finish();  // forwards to the SAIF tap and the backend
    (keyed ? in.keyed : in.plain) = probe.layers();
  }
  if (!cfg.scalesim_dir.empty()) {
    std::vector<traces::ScaleSimLayer> layers;
    for (const auto& l : in.keyed) layers.emplace_back(l.name, l.shape);
    // Convolutions read input pixels (NHWC addresses), taps in keymac's lowering order.
    size_t gi = 0;
    for (const auto& ql : locked.layers) {
      if (!ql.is_gemm_like()) continue;
      if (gi < layers.size() && ql.kind == LayerKind::kConv && ql.in_shape.size() == 3 && ql.out_shape.size() == 3) {
        traces::ScaleSimConv v;
        v.channels = ql.in_shape[0], v.ifmap_h = ql.in_shape[1], v.ifmap_w = ql.in_shape[2];
        v.filter_h = ql.win.kh, v.filter_w = ql.win.kw, v.stride_h = ql.win.sh, v.stride_w = ql.win.sw;
        v.pad_top = ql.win.pt, v.pad_left = ql.win.pl, v.out_h = ql.out_shape[1], v.out_w = ql.out_shape[2];
        if (v.channels * v.filter_h * v.filter_w == layers[gi].shape.k) layers[gi].conv = v;
      }
      ++gi;
    }
    traces::ScaleSimOptions so;
    so.per_layer_cycles = cfg.scalesim_per_layer_cycles;
    const auto w = traces::write_scalesim_traces(cfg.scalesim_dir, layers, g, trace_limits(cfg), so);
    if (scalesim_note)
      *scalesim_note = {{"path", cfg.scalesim_dir}, {"line", w.line(cfg.scalesim_dir)}, {"warning", w.warning(cfg.scalesim_dir)}};
  }
  if (!cfg.accelergy_out.empty()) write_file_atomic(cfg.accelergy_out, accelergy_yaml(in));
  if (!cfg.accelergy_dir.empty()) {
    const MemoryOptions& mo = cfg.backend_options.memory;
    AccelergyBuffers buf;
    buf.weight_bytes = static_cast<uint64_t>(mo.weight_sram_kib) * 1024;
    buf.input_bytes = static_cast<uint64_t>(mo.input_sram_kib) * 1024;
    buf.accum_bytes = static_cast<uint64_t>(mo.accum_sram_kib) * 1024;
    write_accelergy_dir(cfg.accelergy_dir, accelergy_files(in, table, AreaTable{}, buf, cfg.clock_mhz));
  }
  return energy ? energy_json(in, table) : nlohmann::json(nullptr);
}

}  // namespace keymac
