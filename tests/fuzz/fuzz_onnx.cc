// libFuzzer harness: ONNX importer (host/model/onnx_import.cc) on arbitrary bytes.
#include <cstdint>
#include <string>

#include "host/model/onnx_import.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  keymac::fuzz::run_reader([&] { keymac::import_onnx_bytes(bytes, "fuzz.onnx"); });
  return 0;
}
