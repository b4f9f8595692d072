#include "host/backend/systemc_backend.h"

#include "host/backend/memory_config.h"
#include "sim/core/cycle_memory.h"
#include "sim/core/error.h"
#include "sim/model/km_system.h"

namespace keymac {

SystemcBackend::SystemcBackend(Geometry g, const BackendOptions& options)
    : g_(g), options_(options) {
  validate_memory_options(options.memory, g);
  if (options.timing != "fold" && options.timing != "cycle")
    throw Error("--timing: '" + options.timing + "' is not fold or cycle");
  TraceWindow tw{options.trace.vcd_path, options.trace.window_from, options.trace.window_to, options.trace.period_ps,
                 options.trace.trace_key};
  ctx_ = std::make_unique<ArrayContext>(g, to_memory_config(options.memory), tw, options.timing == "cycle");
}

SystemcBackend::~SystemcBackend() = default;

void SystemcBackend::reset(const KeySource* key) {
  require_key_mode_supported(*this, key);
  if (key && key->geometry() != g_)
    throw Error("key is for a " + key->geometry().str() + " array, not " + g_.str());
  if (key) {
    KmSystem::instance().load_key_source(*ctx_, *key);
  } else {
    KmSystem::instance().load_key(*ctx_, nullptr);
  }
  was_reset_ = true;
}

LayerStats SystemcBackend::run_gemm(const GemmJob& job, int32_t* y) {
  if (!was_reset_) throw Error("systemc backend: run_gemm before reset()");
  const GemmProblem p{job.shape, job.x, job.w, g_};
  LayerPlan plan;
  if (options_.timing == "cycle") {
    // Timing from the cycle-stepped memory system; its counters that do not
    // depend on time are the planner's.
    plan = CycleMemorySystem(g_, ctx_->memory().config()).run(job.shape);
    const auto dram = plan.counters;
    plan.counters = ctx_->memory().plan(job.shape).counters;
    for (const auto& [k, v] : dram) plan.counters[k] = v;
    KmSystem::instance().run_layer_cycle(*ctx_, p, plan, y, job.layer_index);
  } else {
    plan = ctx_->memory().plan(job.shape);
    KmSystem::instance().run_layer(*ctx_, p, plan, y, job.layer_index);
  }
  LayerStats st;
  const KeySource* kx = ctx_->expanded_key();
  st.cycles = static_cast<uint64_t>(plan.cycles) + (kx ? kx->warmup_cycles() : 0);
  st.stall_cycles = static_cast<uint64_t>(plan.stall_cycles);
  st.macs = static_cast<uint64_t>(job.shape.macs());
  st.counters = plan.counters;
  return st;
}

void SystemcBackend::finish() { ctx_->close_trace(); }

uint64_t SystemcBackend::key_load_cycles() const { return ctx_->key_load_cycles(); }
bool SystemcBackend::key_sealed() const { return ctx_->key().sealed(); }
bool SystemcBackend::key_error() const { return ctx_->key().err(); }
uint64_t SystemcBackend::total_cycles() const { return ctx_->cycle(); }

}  // namespace keymac
