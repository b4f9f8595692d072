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
  const uint64_t need = KmAccelDriver::layer_bytes(s);  // X | W | Y, 64-byte aligned
  if (need > bytes_)
    throw Error("layer '" + job.layer + "' needs " + std::to_string(need) +
                " bytes of system memory, the accelerator's region has " + std::to_string(bytes_));
  drv_.run_layer(base_, s, job.x, job.w, y, static_cast<uint32_t>(job.layer_index));
  LayerStats st;
  st.cycles = drv_.read64(km_reg::kLastCyclesLo);
  st.stall_cycles = drv_.read64(km_reg::kLastStallsLo);
  st.macs = static_cast<uint64_t>(s.macs());
  return st;
}

}  // namespace keymac
