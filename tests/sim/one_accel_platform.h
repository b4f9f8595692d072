// The smallest TLM-2.0 platform around one KmAccel, for the SystemC tests:
// a host module with one initiator socket, a router, 1 MiB of memory at
// address 0 and the accelerator's registers at kRegs; the accelerator's
// memory port goes back through the router. driver() is a KmAccelDriver on
// the host's socket (call it from a thread of the simulation).
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <string>

#include "sim/model/km_accel.h"
#include "sim/model/km_accel_driver.h"
#include "sim/model/km_accel_regs.h"
#include "sim/model/km_memory.h"
#include "sim/model/km_router.h"

namespace keymac::test {

struct OneAccelPlatform {
  static constexpr uint64_t kMemBytes = 1 << 20;
  static constexpr uint64_t kRegs = 0x40000000;
  struct Host : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Host> socket;
    explicit Host(sc_core::sc_module_name n) : sc_core::sc_module(n), socket("socket") {}
  };

  // Module names are `prefix` + bus, dram, accel, cpu.
  OneAccelPlatform(const std::string& prefix, Geometry g, const KmAccelConfig& cfg = {})
      : router((prefix + "bus").c_str()),
        memory((prefix + "dram").c_str(), kMemBytes),
        accel((prefix + "accel").c_str(), g, cfg),
        host((prefix + "cpu").c_str()) {
    router.initiator.bind(memory.socket);
    router.map(0, kMemBytes);
    router.initiator.bind(accel.regs);
    router.map(kRegs, km_reg::kSize);
    accel.mem.bind(router.target);
    host.socket.bind(router.target);
  }
  KmAccelDriver driver() {
    return KmAccelDriver([this](tlm::tlm_generic_payload& t, sc_core::sc_time& d) { host.socket->b_transport(t, d); },
                         kRegs, accel);
  }

  KmRouter router;
  KmMemory memory;
  KmAccel accel;
  Host host;
};

}  // namespace keymac::test
