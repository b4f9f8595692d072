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
//  * Loosely timed, fold-level (default): a command (a layer descriptor
//    enqueued by CTRL.GO) reads X and W, computes fold after fold with the
//    plain-C++ core (FastArray, the same bits as the register-level
//    WsArrayCore) and writes Y. Its timing is MemorySystem::plan's: the
//    command's local time advances by plan.cycles * clock_period
//    (Schedule::cycles() with ideal memory), synchronised through a
//    tlm_quantumkeeper (global quantum); delays the memory target annotates
//    on the operand transfers are added on top (zero with KmMemory's
//    default). Commands run in order, one at a time.
//  * Cycle-level (KmAccelConfig::cycle_level, `--timing cycle`): the command
//    runs through the Sequencer and the register-level WsArrayCore every
//    cycle, with its timing plan from CycleMemorySystem (the DRAM counters
//    are the stepped model's, the others the planner's); SystemC time
//    advances exactly as in fold-level mode. The core sees the reset and
//    every key bit of KEY_DATA on its key port.
//  * KEY_DATA writes shift key bits through the KeyRegister (one per cycle):
//    the write's delay argument grows by one clock period per bit. CTRL.RESET
//    (only while idle) clears the key register and the counters. A plain
//    instance (keyed = false) has no key register: KEY_DATA is ignored.
//  * Expanded key mode (ARCHITECTURE.md section 11; KEY_MODE = 1 latched by
//    CTRL.RESET): KEY_DATA loads the 80-bit master key (same loading and
//    sealing rules); every command starts with the key unit's warm-up
//    (kx_start/kx_iv with IV = NONCE | LAYER, ceil(1152 / C) cycles, counted
//    in the command's cycles) and fold f uses the keystream's fold plane f.
//  * Trace (KmAccelConfig::trace): inside the window [from, to] of NOW
//    cycles, key loads and commands pass every cycle separately (the
//    initiator's KEY_DATA write waits inside b_transport) and BoundaryTracer
//    samples the exact boundary values; the VCD is closed once NOW has passed
//    the window (its write error, if any, becomes STATUS.ERROR).
//  * done_event() is notified when a command completes (the interrupt line);
//    history() has one record per completed command (SystemC start/end time,
//    cycles, stalls, counters) for tests and platforms.
//  * Bad descriptors (an empty dimension, a transfer the memory refuses), GO
//    with a full queue, CTRL.RESET while busy or a bad register access set the
//    sticky STATUS.ERROR bit (CTRL.CLEAR_ERROR or RESET clear it);
//    last_error() says why. The simulation goes on.
//  * exchange_context(ctx) is a tool-level call (not a bus access, no
//    simulated time), allowed only while idle (keymac::Error otherwise): the
//    instance continues with ctx's geometry, configuration and state, and
//    ctx receives the previous ones. A platform elaborated once uses it to
//    host accelerators of any geometry one at a time (KmHostPlatform).
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/sequencer.h"
#include "sim/model/km_accel_context.h"

namespace keymac {

class KmAccel : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<KmAccel> regs;
  tlm_utils::simple_initiator_socket<KmAccel> mem;

  KmAccel(sc_core::sc_module_name name, Geometry g, const KmAccelConfig& config = {});
  Geometry geometry() const { return ctx_->geometry(); }
  const KmAccelConfig& config() const { return ctx_->config(); }
  const sc_core::sc_event& done_event() const { return done_; }
  const std::vector<KmAccelRecord>& history() const { return ctx_->history(); }
  const std::string& last_error() const { return ctx_->last_error_; }
  uint32_t status() const;
  bool idle() const { return queue_.empty(); }
  void exchange_context(std::unique_ptr<KmAccelContext>& ctx);

 private:
  struct Command {
    uint64_t x, w, y;
    GemmShape shape;
    uint32_t layer;
    uint64_t nonce;
    sc_core::sc_time not_before;  // the GO write's time (the host's local time)
  };
  using Values = std::function<void(uint64_t, ArrayInputs&, ArrayOutputs&, int64_t&)>;
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& t);
  bool read_reg(uint64_t off, uint32_t& v) const;
  // Returns the TLM response; adds key-load time to delay.
  tlm::tlm_response_status write_reg(uint64_t off, uint32_t v, sc_core::sc_time& delay);
  void reset_state();
  void shift_key(uint32_t word, int bits, sc_core::sc_time& delay);
  void fail(const std::string& why);
  void thread();
  void execute(const Command& c);
  // The key of a command: sets FastArray (and seq) up, returns the warm-up cycles.
  int64_t prepare_key(const Command& c, Sequencer* seq);
  void run_folds(const GemmProblem& p, const LayerPlan& plan, int64_t warm, const Command& c);
  void run_cycles(const GemmProblem& p, const LayerPlan& plan, int64_t warm, const Command& c);
  // Lets device cycles [from, to) pass: one annotated delay outside the
  // trace window, one sampled clock period per cycle inside it.
  void pass(uint64_t from, uint64_t to, const Values& values);
  bool transfer(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes);

  std::unique_ptr<KmAccelContext> ctx_;
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_event go_, done_;
  std::deque<Command> queue_;  // front is running while non-empty
  std::vector<int8_t> x_, w_;
  std::vector<int32_t> y_;
  ArrayInputs in_;
  ArrayOutputs out_;
};

}  // namespace keymac
