// KmAccel: the keyed MAC array with its sequencer and memory system as a
// TLM-2.0 component for virtual platforms (docs/SYSTEMC.md "TLM-2.0
// component"; the register map is sim/model/km_accel_regs.h).
//
// Contract:
//  * An sc_module with no global state: a platform may build any number of
//    instances, each with its own geometry, key register, memory
//    configuration and clock period. `regs` (target socket) serves the
//    register map; `mem` (initiator socket) is where the component reads X and
//    W and writes Y, at the system-memory addresses of each descriptor.
//  * Loosely timed, fold-level: a command (a layer descriptor enqueued by
//    CTRL.GO) reads X and W, computes fold after fold with the plain-C++ core
//    (FastArray, the same bits as the register-level WsArrayCore) and writes
//    Y. Its timing is MemorySystem::plan's: the command's local time advances
//    by plan.cycles * clock_period (Schedule::cycles() with ideal memory),
//    synchronised through a tlm_quantumkeeper (global quantum); delays the
//    memory target annotates on the operand transfers are added on top (zero
//    with KmMemory's default). Commands run in order, one at a time.
//  * KEY_DATA writes shift key bits through the KeyRegister (one per cycle):
//    the write's delay argument grows by one clock period per bit. CTRL.RESET
//    (only while idle) clears the key register and the counters. A plain
//    instance (keyed = false) has no key register: KEY_DATA is ignored.
//  * done_event() is notified when a command completes (the interrupt line);
//    history() has one record per completed command (SystemC start/end time,
//    cycles, stalls, counters) for tests and platforms.
//  * Bad descriptors (an empty dimension, a transfer the memory refuses), GO
//    with a full queue, CTRL.RESET while busy or a bad register access set the
//    sticky STATUS.ERROR bit; last_error() says why. The simulation goes on.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "sim/core/fold_engine.h"
#include "sim/core/key_register.h"
#include "sim/core/memory_system.h"

namespace keymac {

struct KmAccelConfig {
  bool keyed = true;
  MemoryConfig memory;  // ideal by default
  sc_core::sc_time clock_period = sc_core::sc_time(10, sc_core::SC_NS);
  unsigned queue_depth = 4;
};

struct KmAccelRecord {
  GemmShape shape;
  sc_core::sc_time start, end;  // SystemC time the command began / completed
  uint64_t cycles = 0, stall_cycles = 0;
  std::map<std::string, uint64_t> counters;  // names in docs/SYSTEMC.md
};

class KmAccel : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<KmAccel> regs;
  tlm_utils::simple_initiator_socket<KmAccel> mem;

  KmAccel(sc_core::sc_module_name name, Geometry g, const KmAccelConfig& config = {});
  Geometry geometry() const { return g_; }
  const KmAccelConfig& config() const { return cfg_; }
  const sc_core::sc_event& done_event() const { return done_; }
  const std::vector<KmAccelRecord>& history() const { return history_; }
  const std::string& last_error() const { return last_error_; }
  uint32_t status() const;

 private:
  struct Command {
    uint64_t x, w, y;
    GemmShape shape;
    sc_core::sc_time not_before;  // the GO write's time (the host's local time)
  };
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& t);
  bool read_reg(uint64_t off, uint32_t& v) const;
  // Returns the TLM response; adds key-load time to delay.
  tlm::tlm_response_status write_reg(uint64_t off, uint32_t v, sc_core::sc_time& delay);
  void fail(const std::string& why);
  void thread();
  void execute(const Command& c);
  bool transfer(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes);

  Geometry g_;
  KmAccelConfig cfg_;
  KeyRegister key_;
  MemorySystem memsys_;
  FastArray fast_;
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_event go_, done_;
  std::deque<Command> queue_;  // front is running while running_
  bool running_ = false;
  uint32_t x_lo_ = 0, x_hi_ = 0, w_lo_ = 0, w_hi_ = 0, y_lo_ = 0, y_hi_ = 0;
  uint32_t m_ = 0, k_ = 0, n_ = 0;
  bool error_ = false;
  std::string last_error_;
  uint32_t done_count_ = 0;
  uint64_t cycles_ = 0, stalls_ = 0, last_cycles_ = 0, last_stalls_ = 0, key_load_cycles_ = 0;
  std::vector<KmAccelRecord> history_;
  std::vector<int8_t> x_, w_;
  std::vector<int32_t> y_;
};

}  // namespace keymac
