// libFuzzer harness: locked-model package reader (host/lock/package.cc).
#include <cstdint>
#include <string>

#include "host/lock/package.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  keymac::fuzz::run_reader([&] { keymac::read_package_bytes(bytes, "fuzz.kmpkg"); });
  return 0;
}
