// libFuzzer harness: VCD reader / SAIF converter (traces/vcd_to_saif.cc).
// The first byte picks a scope filter, so the scope-selection code runs too.
#include <cstdint>
#include <sstream>
#include <string>

#include "tests/fuzz/fuzz_common.h"
#include "traces/vcd_to_saif.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kScopes[] = {"", "TOP", "TOP.km_array", "a.b", "top/dut"};
  const std::string scope = kScopes[data[0] % 5];
  const std::string path = keymac::fuzz::scratch_file(data + 1, size - 1, ".vcd");
  keymac::fuzz::run_reader([&] {
    std::ostringstream saif;
    keymac::traces::vcd_to_saif(path, saif, scope, "");
  });
  return 0;
}
