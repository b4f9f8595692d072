// libFuzzer harness: key-file reader (sim/core/key.cc), through the file path
// so the capped read is exercised too.
#include <cstdint>
#include <string>

#include "sim/core/key.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = keymac::fuzz::scratch_file(data, size, ".key");
  keymac::fuzz::run_reader([&] {
    const keymac::Key k = keymac::Key::read(path);
    // A key that was read must survive its own text format unchanged.
    if (keymac::Key::from_text(k.to_text(), "round trip") != k) __builtin_trap();
  });
  return 0;
}
