// Reading an input file whose size the user (or an attacker) controls.
// Contract: read_file_capped() reads at most cap + 1 bytes: a file (or a
// device such as /dev/zero, or a pipe) longer than `cap` bytes throws
// keymac::Error "<path>: <what> is larger than <cap> bytes (the cap ...)"
// without reading the rest; a file that cannot be opened or read throws
// keymac::Error naming it. Nothing larger than cap + 1 bytes is allocated.
#pragma once
#include <cstdint>
#include <string>

namespace keymac {

std::string read_file_capped(const std::string& path, const std::string& what, uint64_t cap);

}  // namespace keymac
