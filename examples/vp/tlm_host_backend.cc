#include "examples/vp/tlm_host_backend.h"

#include "sim/core/error.h"
#include "sim/model/km_accel_regs.h"

namespace keymac {

TlmHostBackend::TlmHostBackend(KmAccelDriver driver, Geometry g, uint64_t region_base,
                               uint64_t region_bytes)
    : drv_(std::move(driver)), g_(g), base_(region_base), bytes_(region_bytes) {}

void TlmHostBackend::reset(const KeySource* key) { drv_.reset_and_load_key(key); }

LayerStats TlmHostBackend::run_gemm(const GemmJob& job, int32_t* y) {
  const GemmShape s = job.shape;
  const uint64_t xb = uint64_t(s.m * s.k), wb = uint64_t(s.k * s.n), yb = 4 * uint64_t(s.m * s.n);
  // X | W | Y, each aligned to 64 bytes.
  auto up = [](uint64_t v) { return (v + 63) & ~uint64_t(63); };
  const KmDescriptor d{base_, base_ + up(xb), base_ + up(xb) + up(wb), s};
  if (up(xb) + up(wb) + yb > bytes_)
    throw Error("layer '" + job.layer + "' needs " + std::to_string(up(xb) + up(wb) + yb) +
                " bytes of system memory, the accelerator's region has " + std::to_string(bytes_));
  drv_.write_mem(d.x, job.x, xb);
  drv_.write_mem(d.w, job.w, wb);
  drv_.run(d);
  drv_.read_mem(d.y, y, yb);
  LayerStats st;
  st.cycles = drv_.read64(km_reg::kLastCyclesLo);
  st.stall_cycles = drv_.read64(km_reg::kLastStallsLo);
  st.macs = static_cast<uint64_t>(s.macs());
  return st;
}

}  // namespace keymac
