// KmRouter: an address decoder for virtual platforms — any number of
// initiators bind to `target`, any number of targets to `initiator`; each
// target port is given an address window [base, base + size).
//
// Contract:
//  * map(base, size) declares the window of the next bound initiator port, in
//    bind order (port i is the i-th map() call). Windows must not overlap
//    (keymac::Error otherwise).
//  * b_transport / transport_dbg forward to the port whose window holds the
//    whole access, with the address made relative to the window's base (and
//    restored afterwards); an access outside every window, or crossing a
//    window's end, answers TLM_ADDRESS_ERROR_RESPONSE. No delay is added.
#pragma once
#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdint>
#include <vector>

namespace keymac {

class KmRouter : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<KmRouter> target;
  tlm_utils::multi_passthrough_initiator_socket<KmRouter> initiator;

  explicit KmRouter(sc_core::sc_module_name name);
  void map(uint64_t base, uint64_t size);

 private:
  struct Window {
    uint64_t base, size;
  };
  int decode(tlm::tlm_generic_payload& t) const;  // port, or -1
  void b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& t);
  std::vector<Window> windows_;
};

}  // namespace keymac
