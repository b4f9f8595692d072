#include "sim/model/km_router.h"

#include <cstdio>

#include "sim/core/error.h"

namespace keymac {

KmRouter::KmRouter(sc_core::sc_module_name name)
    : sc_core::sc_module(name), target("target"), initiator("initiator") {
  target.register_b_transport(this, &KmRouter::b_transport);
  target.register_transport_dbg(this, &KmRouter::transport_dbg);
}

void KmRouter::map(uint64_t base, uint64_t size) {
  for (const Window& w : windows_)
    if (base < w.base + w.size && w.base < base + size)
    {
      char buf[96];
      std::snprintf(buf, sizeof buf, ": address window 0x%llx+0x%llx overlaps another window",
                    static_cast<unsigned long long>(base), static_cast<unsigned long long>(size));
      throw Error(std::string(name()) + buf);
    }
  windows_.push_back({base, size});
}

int KmRouter::decode(tlm::tlm_generic_payload& t) const {
  const uint64_t a = t.get_address(), n = t.get_data_length();
  for (size_t i = 0; i < windows_.size(); ++i) {
    const Window& w = windows_[i];
    if (a >= w.base && a - w.base < w.size && n <= w.size - (a - w.base)) return static_cast<int>(i);
  }
  return -1;
}

void KmRouter::b_transport(int, tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  const int port = decode(t);
  if (port < 0 || port >= static_cast<int>(initiator.size())) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t a = t.get_address();
  t.set_address(a - windows_[static_cast<size_t>(port)].base);
  initiator[port]->b_transport(t, delay);
  t.set_address(a);
}

unsigned int KmRouter::transport_dbg(int, tlm::tlm_generic_payload& t) {
  const int port = decode(t);
  if (port < 0 || port >= static_cast<int>(initiator.size())) return 0;
  const uint64_t a = t.get_address();
  t.set_address(a - windows_[static_cast<size_t>(port)].base);
  const unsigned int n = initiator[port]->transport_dbg(t);
  t.set_address(a);
  return n;
}

}  // namespace keymac
