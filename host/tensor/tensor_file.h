// One tensor file, by extension: .npy (NumPy) or .pb (ONNX TensorProto).
// Contract: read_tensor_file() dispatches on the name and throws
// keymac::Error "<path>: ..." for any other extension or a bad file;
// write_tensor_file() writes float32 with `name` (used by .pb only).
#pragma once
#include <string>

#include "host/tensor/tensor.h"

namespace keymac {

bool is_tensor_file_name(const std::string& path);  // ends in .npy or .pb
Tensor read_tensor_file(const std::string& path, std::string* name = nullptr);
void write_tensor_file(const std::string& path, const Tensor& t, const std::string& name);

}  // namespace keymac
