#include "sim/model/km_host_platform.h"

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdlib>

#include "sim/core/error.h"
#include "sim/model/km_accel_regs.h"
#include "sysc/tracing/sc_tracing_ids.h"

// libsystemc.so calls sc_main from its own main(); programs with their own
// main() (the keymac CLI, gtest_main binaries) never reach it, but the
// symbol must exist. Test binaries that define sc_main override this one.
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 1; }

namespace keymac {

// The host CPU: one initiator socket and a thread that runs the jobs handed
// to it between sc_start and sc_pause.
class KmHostPlatform::Host : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Host> socket;

  Host(sc_core::sc_module_name name, KmAccel& accel) : sc_core::sc_module(name), socket("socket"), accel_(accel) {
    SC_HAS_PROCESS(Host);
    SC_THREAD(thread);
  }
  void execute(const std::function<void(KmAccelDriver&)>& job) {
    job_ = &job;
    done_ = false;
    error_ = nullptr;
    go_.notify(sc_core::SC_ZERO_TIME);
    sc_core::sc_start();
    job_ = nullptr;
    if (!done_) throw Error("SystemC platform: the simulation stopped before the job finished");
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void thread() {
    KmAccelDriver drv([this](tlm::tlm_generic_payload& t, sc_core::sc_time& d) { socket->b_transport(t, d); },
                      kAccelBase, accel_);
    for (;;) {
      while (!job_ || done_) sc_core::wait(go_);
      try {
        (*job_)(drv);
      } catch (...) {
        error_ = std::current_exception();
      }
      while (!accel_.idle()) sc_core::wait(accel_.done_event());
      done_ = true;
      sc_core::sc_pause();
    }
  }

  KmAccel& accel_;
  sc_core::sc_event go_;
  const std::function<void(KmAccelDriver&)>* job_ = nullptr;
  bool done_ = false;
  std::exception_ptr error_;
};

KmHostPlatform::KmHostPlatform() {
  router_ = std::make_unique<KmRouter>("keymac_bus");
  memory_ = std::make_unique<KmMemory>("keymac_dram", 0);
  // The context each backend brings replaces this placeholder while it runs.
  accel_ = std::make_unique<KmAccel>("systemc", Geometry::make(1, 1));  // errors read "systemc: ..."
  host_ = std::make_unique<Host>("keymac_host", *accel_);
  router_->initiator.bind(accel_->regs);
  router_->map(kAccelBase, km_reg::kSize);
  router_->initiator.bind(memory_->socket);
  router_->map(kMemBase, kMemWindow);
  accel_->mem.bind(router_->target);
  host_->socket.bind(router_->target);
}

KmHostPlatform& KmHostPlatform::instance() {
  static KmHostPlatform* platform = [] {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    // Keep stdout clean for the CLI: no "timescale unit set" notes per VCD.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_TRACING_TIMESCALE_UNIT_, sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_TRACING_TIMESCALE_DEFAULT_, sc_core::SC_DO_NOTHING);
    auto* p = new KmHostPlatform();
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end of elaboration; the host thread waits for jobs
    return p;
  }();
  return *platform;
}

void KmHostPlatform::reserve_memory(uint64_t bytes) {
  if (bytes > kMemWindow) throw Error("SystemC platform: " + std::to_string(bytes) + " bytes exceed system memory");
  if (bytes > memory_->size()) memory_->resize(bytes);
}

void KmHostPlatform::run(std::unique_ptr<KmAccelContext>& ctx, const std::function<void(KmAccelDriver&)>& job) {
  accel_->exchange_context(ctx);  // ctx now holds the platform's idle context
  std::exception_ptr error;
  try {
    host_->execute(job);
  } catch (...) {
    error = std::current_exception();
  }
  accel_->exchange_context(ctx);  // idle: the host thread waited for it
  if (error) std::rethrow_exception(error);
}

}  // namespace keymac
