// A plain TLM-2.0 generic payload as keymac's initiators issue it: one command
// over `bytes` contiguous bytes, streaming width = length, no byte enables, no
// DMI, response INCOMPLETE until a target answers. Shared by the accelerator's
// initiator socket (KmAccel) and the host driver (KmAccelDriver).
#pragma once
#include <tlm>

#include <cstdint>

namespace keymac {

inline void init_payload(tlm::tlm_generic_payload& t, tlm::tlm_command cmd, uint64_t addr, void* data,
                         uint64_t bytes) {
  t.set_command(cmd);
  t.set_address(addr);
  t.set_data_ptr(static_cast<unsigned char*>(data));
  t.set_data_length(static_cast<unsigned>(bytes));
  t.set_streaming_width(static_cast<unsigned>(bytes));
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace keymac
