// KmAccelDriver: the host side of KmAccel's register map, for initiator
// threads in a virtual platform (tests, examples/vp). Plain calls on top of a
// b_transport function; every access is synchronised at once (the caller's
// thread waits the annotated delay), so SystemC time is the device's time.
//
// Contract:
//  * Must be used from an SC_THREAD. `bus` is the initiator's forward path
//    (e.g. socket->b_transport); `base` the accelerator's register base.
//  * reset_and_load_key(key) writes KEY_MODE (1 for an expanded key, with
//    its nonce in NONCE; 0 otherwise), CTRL.RESET, then the key's bits (R*C,
//    or the 80 master-key bits) in 32-bit KEY_DATA words (serial port
//    order); nullptr: reset only. The key stays behind KeySource: the driver
//    never reads it back.
//  * run(desc) writes the descriptor (LAYER included), CTRL.GO and waits (on
//    done_event, the interrupt line) until the accelerator is idle; it throws
//    keymac::Error with the accelerator's reason if STATUS.ERROR is set
//    afterwards (the bit stays set; clear_error() clears it).
//  * throw_if_error() turns a set STATUS.ERROR into keymac::Error (the
//    accelerator's reason) after clearing the bit.
//  * run_layer(base, ...) is one GEMM with its operands in system memory from
//    `base`: X | W | Y, each 64-byte aligned (layer_bytes() in all), written,
//    run, Y read back.
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
#include "sim/model/km_accel_regs.h"

namespace keymac {

struct KmDescriptor {
  uint64_t x = 0, w = 0, y = 0;  // system-memory byte addresses
  GemmShape shape;
  uint32_t layer = 0;  // the model's GEMM layer (expanded key IV); 0..65535
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
  void clear_error() { write32(km_reg::kCtrl, km_reg::kCtrlClearError); }
  // STATUS.ERROR set: clears it and throws keymac::Error with the reason.
  void throw_if_error();
  static uint64_t layer_bytes(const GemmShape& s);
  void run_layer(uint64_t base, const GemmShape& s, const int8_t* x, const int8_t* w, int32_t* y,
                 uint32_t layer = 0);
  void write_mem(uint64_t addr, const void* data, uint64_t bytes);
  void read_mem(uint64_t addr, void* data, uint64_t bytes);

 private:
  void access(tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t bytes);
  Bus bus_;
  uint64_t base_;
  const KmAccel& accel_;
};

}  // namespace keymac
