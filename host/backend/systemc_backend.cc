#include "host/backend/systemc_backend.h"

#include <cstdint>

#include "host/backend/memory_config.h"
#include "sim/core/error.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/km_host_platform.h"

namespace keymac {

SystemcBackend::SystemcBackend(Geometry g, const BackendOptions& options) : g_(g), options_(options) {
  validate_memory_options(options.memory, g);
  if (options.timing != "fold" && options.timing != "cycle")
    throw Error("--timing: '" + options.timing + "' is not fold or cycle");
  KmAccelConfig cfg;
  cfg.memory = to_memory_config(options.memory);
  cfg.cycle_level = options.timing == "cycle";
  cfg.trace = TraceWindow{options.trace.vcd_path, options.trace.window_from, options.trace.window_to,
                          options.trace.period_ps, options.trace.trace_key};
  cfg.queue_depth = 1;    // one layer at a time: the runtime waits for each
  cfg.history_limit = 1;  // the statistics of the last layer
  KmHostPlatform::instance();  // elaborated before the trace file is opened
  ctx_ = std::make_unique<KmAccelContext>(g, cfg, "systemc backend");
}

SystemcBackend::~SystemcBackend() = default;

// After every call: the registers the backend reports, and a set STATUS.ERROR
// (a trace that cannot be written) as an exception.
void SystemcBackend::read_back(KmAccelDriver& d) {
  status_ = d.read32(km_reg::kStatus);
  key_load_cycles_ = d.read32(km_reg::kKeyLoadCycles);
  now_ = d.read64(km_reg::kNowLo);
  d.throw_if_error();
}

void SystemcBackend::reset(const KeySource* key) {
  require_key_mode_supported(*this, key);
  if (key && key->geometry() != g_)
    throw Error("key is for a " + key->geometry().str() + " array, not " + g_.str());
  KmHostPlatform::instance().run(ctx_, [&](KmAccelDriver& d) {
    d.reset_and_load_key(key);
    read_back(d);
  });
  was_reset_ = true;
}

LayerStats SystemcBackend::run_gemm(const GemmJob& job, int32_t* y) {
  if (!was_reset_) throw Error("systemc backend: run_gemm before reset()");
  if (job.layer_index < 0 || job.layer_index > INT32_MAX)
    throw Error("systemc backend: layer index " + std::to_string(job.layer_index) + " out of range");
  KmHostPlatform& platform = KmHostPlatform::instance();
  platform.reserve_memory(KmAccelDriver::layer_bytes(job.shape));
  platform.run(ctx_, [&](KmAccelDriver& d) {
    try {
      d.run_layer(KmHostPlatform::kMemBase, job.shape, job.x, job.w, y, static_cast<uint32_t>(job.layer_index));
    } catch (const Error&) {
      d.clear_error();  // the next layer starts clean; the reason is thrown
      throw;
    }
    read_back(d);
  });
  const KmAccelRecord& r = ctx_->history().back();
  LayerStats st;
  st.cycles = r.cycles;
  st.stall_cycles = r.stall_cycles;
  st.macs = static_cast<uint64_t>(job.shape.macs());
  st.counters = r.counters;
  return st;
}

void SystemcBackend::finish() { ctx_->close_trace(); }

bool SystemcBackend::key_sealed() const { return (status_ & km_reg::kStatusKeySealed) != 0; }
bool SystemcBackend::key_error() const { return (status_ & km_reg::kStatusKeyErr) != 0; }

}  // namespace keymac
