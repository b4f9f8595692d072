#include "sim/model/km_accel_context.h"

#include "sim/core/error.h"

namespace keymac {

namespace {
const KmAccelConfig& checked(const KmAccelConfig& c, const std::string& owner) {
  if (c.queue_depth < 1 || c.queue_depth > 255) throw Error(owner + ": queue_depth must be 1..255");
  if (c.clock_period <= sc_core::SC_ZERO_TIME) throw Error(owner + ": clock_period must be positive");
  if (!c.trace.vcd_path.empty() && c.clock_period != sc_core::sc_time(10, sc_core::SC_NS))
    throw Error(owner + ": a VCD trace needs clock_period 10 ns (the tracer's time base; "
                        "trace.period_ps sets the waveform's clock)");
  return c;
}
}  // namespace

KmAccelContext::KmAccelContext(Geometry g, const KmAccelConfig& config, const std::string& owner)
    : g_(g), cfg_(checked(config, owner)), key_(g, config.keyed), memsys_(g, config.memory), fast_(g) {
  if (cfg_.cycle_level) {
    core_ = std::make_unique<WsArrayCore>(g, cfg_.keyed);
    core_->reset();
  }
  fast_.set_key(key_);
  if (!cfg_.trace.vcd_path.empty())
    tracer_ = std::make_unique<BoundaryTracer>(cfg_.trace.vcd_path, g, cfg_.trace.from, cfg_.trace.to,
                                               cfg_.trace.period_ps, cfg_.trace.trace_key);
}

}  // namespace keymac
