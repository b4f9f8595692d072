// ONNX TensorProto files (.pb), as in ONNX's backend test data
// (test_data_set_N/input_K.pb, output_K.pb), read and written for
// `keymac infer` (docs/FORMATS.md, "Tensor files").
// Contract: parse_tensor_pb() accepts dense tensors of the DType element
// types held either in raw_data (little-endian) or in the typed repeated
// field ONNX uses for that type; it throws keymac::Error "<path>: <problem>"
// for a file over kMaxTensorFileBytes, a protobuf that does not parse,
// external data, string/complex/uint32/uint64 types, negative dimensions,
// more than kMaxTensorFileElements elements or data that does not match the
// dims (checked before allocation). write_tensor_pb() writes float32
// raw_data (or the tensor's own type when `keep_dtype`) with `name`.
#pragma once
#include <string>

#include "host/tensor/tensor.h"

namespace keymac {

Tensor parse_tensor_pb(const std::string& bytes, const std::string& path, std::string* name = nullptr);
Tensor read_tensor_pb(const std::string& path, std::string* name = nullptr);
std::string tensor_pb_bytes(const Tensor& t, const std::string& name, bool keep_dtype = false);
void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name, bool keep_dtype = false);

}  // namespace keymac
