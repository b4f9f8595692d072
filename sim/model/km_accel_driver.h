// KmAccelDriver: the host side of KmAccel's register map, for initiator
// threads in a virtual platform (tests, examples/vp). Plain calls on top of a
// b_transport function; every access is synchronised at once (the caller's
// thread waits the annotated delay), so SystemC time is the device's time.
//
// Contract:
//  * Must be used from an SC_THREAD. `bus` is the initiator's forward path
//    (e.g. socket->b_transport); `base` the accelerator's register base.
//  * reset_and_load_key(key) writes CTRL.RESET, then the key's R*C bits in
//    32-bit KEY_DATA words (serial port order); nullptr: reset only.
//    The key stays behind KeySource: the driver never reads it back.
//  * run(desc) writes the descriptor, CTRL.GO and waits (on done_event, the
//    interrupt line) until the accelerator is idle; it throws keymac::Error
//    with the accelerator's reason if STATUS.ERROR is set afterwards.
//  * write_mem / read_mem move bytes through the same bus (timed).
//  * A TLM error response throws keymac::Error naming the address.
#pragma once
#include <systemc>
#include <tlm>

#include <cstdint>
#include <functional>

#include "sim/core/key.h"
#include "sim/core/schedule.h"
#include "sim/model/km_accel.h"

namespace keymac {

struct KmDescriptor {
  uint64_t x = 0, w = 0, y = 0;  // system-memory byte addresses
  GemmShape shape;
};

class KmAccelDriver {
 public:
  using Bus = std::function<void(tlm::tlm_generic_payload&, sc_core::sc_time&)>;
  KmAccelDriver(Bus bus, uint64_t base, const KmAccel& accel);

  uint32_t read32(uint64_t off);
  uint64_t read64(uint64_t lo_off);  // a _LO/_HI pair
  void write32(uint64_t off, uint32_t v);
  void reset_and_load_key(const KeySource* key);
  void submit(const KmDescriptor& d);  // descriptor + GO, no wait
  void wait_idle();
  void run(const KmDescriptor& d) { submit(d); wait_idle(); }
  void write_mem(uint64_t addr, const void* data, uint64_t bytes);
  void read_mem(uint64_t addr, void* data, uint64_t bytes);

 private:
  void access(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes);
  Bus bus_;
  uint64_t base_;
  const KmAccel& accel_;
};

}  // namespace keymac
