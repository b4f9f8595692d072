// libFuzzer harness: sweep-spec parser (host/sweep/sweep_spec.cc), which also
// parses and evaluates drop_if filters over the points.
#include <cstdint>
#include <string>

#include "host/sweep/sweep_spec.h"
#include "tests/fuzz/fuzz_common.h"

namespace keymac {
// The fuzz build links no backends: the registry's list of names is all the
// spec parser asks of it (host/backend/backend_registry.cc has the real one).
std::string available_backends() { return "functional, systemc"; }
}  // namespace keymac

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = keymac::fuzz::scratch_file(data, size, ".json");
  keymac::fuzz::run_reader([&] { keymac::load_sweep_spec(path); });
  return 0;
}
