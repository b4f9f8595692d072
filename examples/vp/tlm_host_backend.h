// TlmHostBackend: the host software's view of one KmAccel in the example
// virtual platform — ArrayBackend (the interface keymac's runtime streams
// layers through) implemented as a driver that writes each layer's operands
// into system memory and programs the accelerator through its registers.
//
// Contract:
//  * Used only from an SC_THREAD (every bus access waits its delay).
//  * reset(key): CTRL.RESET, then the key through KEY_DATA (nullptr: none).
//  * run_gemm(job, y): X and W written to the accelerator's region of
//    system memory, one command, Y read back; stats.cycles / stall_cycles are
//    the accelerator's LAST_CYCLES / LAST_STALLS registers. A layer that does
//    not fit the region throws keymac::Error naming the sizes.
#pragma once
#include "host/backend/array_backend.h"
#include "sim/model/km_accel_driver.h"

namespace keymac {

class TlmHostBackend : public ArrayBackend {
 public:
  // region: system-memory window [base, base + bytes) reserved for this accelerator.
  TlmHostBackend(KmAccelDriver driver, Geometry g, uint64_t region_base, uint64_t region_bytes);
  std::string name() const override { return "tlm-vp"; }
  Geometry geometry() const override { return g_; }
  void reset(const KeySource* key) override;
  LayerStats run_gemm(const GemmJob& job, int32_t* y) override;

 private:
  KmAccelDriver drv_;
  Geometry g_;
  uint64_t base_, bytes_;
};

}  // namespace keymac
