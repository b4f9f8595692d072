// KmMemory: a system memory for virtual platforms around KmAccel — a byte
// array behind a TLM-2.0 target socket (loosely timed).
//
// Contract:
//  * b_transport reads/writes `length` bytes at the payload's address
//    (streaming width = length, no byte enables); every access adds the
//    constructor's `latency` to the delay argument (default zero: the
//    accelerator's own memory system models DRAM timing).
//  * Out-of-range accesses answer TLM_ADDRESS_ERROR_RESPONSE, byte enables or
//    streaming TLM_BYTE_ENABLE_ERROR_RESPONSE / TLM_BURST_ERROR_RESPONSE.
//  * transport_dbg gives the same bytes without time; data() is host-side
//    access for set-up and checks.
//  * Concurrent initiators are not arbitrated (no contention is modelled).
//  * resize(bytes) is a tool-level call between transactions (no data
//    pointer of a payload in flight may point into the memory): the memory
//    keeps its first min(old, new) bytes, new bytes are 0.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <vector>

namespace keymac {

class KmMemory : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<KmMemory> socket;

  KmMemory(sc_core::sc_module_name name, uint64_t size_bytes,
           sc_core::sc_time latency = sc_core::SC_ZERO_TIME);
  uint64_t size() const { return mem_.size(); }
  uint8_t* data() { return mem_.data(); }
  void resize(uint64_t size_bytes) { mem_.resize(size_bytes, 0); }

 private:
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& t);
  bool access(tlm::tlm_generic_payload& t);

  std::vector<uint8_t> mem_;
  sc_core::sc_time latency_;
};

}  // namespace keymac
