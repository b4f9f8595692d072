#include "host/tensor/tensor_file.h"

#include "base/error.h"
#include "host/tensor/npy.h"
#include "host/tensor/tensor_pb.h"

namespace keymac {

namespace {
bool ends_with(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}
}  // namespace

bool is_tensor_file_name(const std::string& path) { return ends_with(path, ".npy") || ends_with(path, ".pb"); }

Tensor read_tensor_file(const std::string& path, std::string* name) {
  if (ends_with(path, ".npy")) {
    if (name) name->clear();
    return read_npy(path);
  }
  if (ends_with(path, ".pb")) return read_tensor_pb(path, name);
  throw Error(path + ": tensor files must be .npy (NumPy) or .pb (ONNX TensorProto)");
}

void write_tensor_file(const std::string& path, const Tensor& t, const std::string& name) {
  if (ends_with(path, ".npy")) return write_npy(path, t);
  if (ends_with(path, ".pb")) return write_tensor_pb(path, t, name);
  throw Error(path + ": output tensor files must be .npy (NumPy) or .pb (ONNX TensorProto)");
}

}  // namespace keymac
