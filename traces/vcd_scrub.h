// Removing the key from a VCD written by the verilated RTL (run --backend rtl
// --vcd/--saif), before anyone else reads it (docs/RELIABILITY.md).
// Contract: scrub_vcd() copies the VCD `in` to `out` (through the output
// layer) unchanged except that every variable whose name (without a bit
// range) is in `names` -- and every variable sharing its identifier code --
// holds a constant 0: its first value becomes 0 and its later changes are
// dropped. The header keeps the variables, so tools that look for them still
// find them. Returns how many variables were scrubbed. Reads line by line
// (memory: the header and one line).
// kRtlKeyNets: the km_array nets that hold or directly encode key bits: the
// serial port (key_bit_i), the key register (key_q, key_o, wr_bit), the
// per-PE key (key, key_i) and the PE sign (neg = sign_w ^ sign_a ^ key).
#pragma once
#include <set>
#include <string>

namespace keymac::traces {

extern const std::set<std::string> kRtlKeyNets;

int scrub_vcd(const std::string& in, const std::string& out, const std::set<std::string>& names);

}  // namespace keymac::traces
