#include "sim/model/km_memory.h"

#include <cstring>

namespace keymac {

KmMemory::KmMemory(sc_core::sc_module_name name, uint64_t size_bytes, sc_core::sc_time latency)
    : sc_core::sc_module(name), socket("socket"), mem_(size_bytes, 0), latency_(latency) {
  socket.register_b_transport(this, &KmMemory::b_transport);
  socket.register_transport_dbg(this, &KmMemory::transport_dbg);
}

bool KmMemory::access(tlm::tlm_generic_payload& t) {
  const uint64_t a = t.get_address();
  const uint64_t n = t.get_data_length();
  if (t.get_byte_enable_ptr()) {
    t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (t.get_streaming_width() != 0 && t.get_streaming_width() < n) {
    t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (a > mem_.size() || n > mem_.size() - a) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (t.is_read())
    std::memcpy(t.get_data_ptr(), mem_.data() + a, n);
  else if (t.is_write())
    std::memcpy(mem_.data() + a, t.get_data_ptr(), n);
  t.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void KmMemory::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
  if (access(t)) delay += latency_;
}

unsigned int KmMemory::transport_dbg(tlm::tlm_generic_payload& t) {
  return access(t) ? t.get_data_length() : 0;
}

}  // namespace keymac
