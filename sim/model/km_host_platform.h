// KmHostPlatform: the process-wide virtual platform behind `keymac run
// --backend systemc` (SystemcBackend): a host CPU module (one initiator
// socket, one SC_THREAD), a KmRouter, a KmMemory and one KmAccel, elaborated
// on first use. Host code (the backend) hands it a job that drives the
// accelerator through its registers with a KmAccelDriver; nothing else in
// keymac's library calls sc_start.
//
// Why one platform with exchangeable contexts: SystemC allows one
// elaboration per process and no new modules, sockets or bindings after
// sc_start, but a process creates backends of any geometry at any time (CLI
// evaluations with the right and a wrong key, sweeps, tests). A fixed pool
// would limit how many backends may exist; instead each backend owns a
// KmAccelContext (geometry, configuration, key register, counters, device
// cycles, trace) and run() attaches it to the one KmAccel while the job runs
// (KmAccel::exchange_context, only while idle) and detaches it afterwards. So
// every backend keeps its own loaded key and cycle count across runs, as if
// it had its own accelerator; the module, its sockets and its thread are the
// same.
//
// Contract:
//  * instance() elaborates on first use (SC_ZERO_TIME start: end of
//    elaboration) and returns the platform. Memory map: the accelerator's
//    registers at kAccelBase, system memory from kMemBase.
//  * run(ctx, job) attaches ctx, runs job(driver) on the host thread (it may
//    wait and access the bus), then lets the simulation go on until the
//    accelerator is idle, detaches ctx and returns. An exception thrown by
//    job is rethrown here; the platform stays usable. ctx must not be null.
//  * reserve_memory(bytes) grows system memory (between runs; never shrinks).
//  * Not thread-safe: the SystemC kernel is global; one run at a time.
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>

#include "sim/model/km_accel.h"
#include "sim/model/km_accel_driver.h"
#include "sim/model/km_memory.h"
#include "sim/model/km_router.h"

namespace keymac {

class KmHostPlatform {
 public:
  static constexpr uint64_t kAccelBase = 0x0;
  static constexpr uint64_t kMemBase = 0x100000000ull;  // 4 GiB
  static constexpr uint64_t kMemWindow = 1ull << 46;

  static KmHostPlatform& instance();
  void run(std::unique_ptr<KmAccelContext>& ctx, const std::function<void(KmAccelDriver&)>& job);
  void reserve_memory(uint64_t bytes);

 private:
  class Host;
  KmHostPlatform();
  std::unique_ptr<KmRouter> router_;
  std::unique_ptr<KmMemory> memory_;
  std::unique_ptr<KmAccel> accel_;
  std::unique_ptr<Host> host_;
};

}  // namespace keymac
