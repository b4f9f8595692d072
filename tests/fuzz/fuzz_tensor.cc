// libFuzzer harness: the tensor-file readers (host/tensor: .npy, .npz, ONNX
// TensorProto .pb) on arbitrary bytes; the first byte picks the reader.
#include <cstdint>
#include <string>

#include "host/tensor/npy.h"
#include "host/tensor/npz.h"
#include "host/tensor/tensor_pb.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: keymac::fuzz::run_reader([&] { keymac::parse_npy(bytes, "fuzz.npy"); }); break;
    case 1: keymac::fuzz::run_reader([&] { keymac::parse_npz(bytes, "fuzz.npz"); }); break;
    default: keymac::fuzz::run_reader([&] { keymac::parse_tensor_pb(bytes, "fuzz.pb"); }); break;
  }
  return 0;
}
