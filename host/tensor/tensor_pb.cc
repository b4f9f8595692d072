#include "host/tensor/tensor_pb.h"

#include <onnx/onnx_pb.h>

#include "base/checked.h"
#include "base/error.h"
#include "base/output_file.h"
#include "host/tensor/element_codec.h"
#include "sim/core/capped_read.h"

namespace keymac {

namespace {

using TP = onnx::TensorProto;

struct TypeMap {
  int onnx;
  DType t;
};
constexpr TypeMap kTypes[] = {
    {TP::FLOAT, DType::kF32}, {TP::DOUBLE, DType::kF64}, {TP::FLOAT16, DType::kF16}, {TP::UINT8, DType::kU8},
    {TP::INT8, DType::kI8},   {TP::UINT16, DType::kU16}, {TP::INT16, DType::kI16},   {TP::INT32, DType::kI32},
    {TP::INT64, DType::kI64}, {TP::BOOL, DType::kBool}};

}  // namespace

Tensor parse_tensor_pb(const std::string& bytes, const std::string& path, std::string* name) {
  if (bytes.size() > kMaxTensorFileBytes)
    throw Error(path + ": tensor file of " + std::to_string(bytes.size()) + " bytes is over the " +
                std::to_string(kMaxTensorFileBytes) + "-byte cap");
  TP p;
  if (!p.ParseFromString(bytes)) throw Error(path + ": not an ONNX TensorProto (protobuf parse failed)");
  if (p.data_location() == TP::EXTERNAL) throw Error(path + ": tensor uses external data, which keymac does not read");
  if (p.has_segment()) throw Error(path + ": segmented tensors are not supported");
  if (name) *name = p.name();
  Tensor t;
  bool known = false;
  for (const auto& m : kTypes)
    if (m.onnx == p.data_type()) t.dtype = m.t, known = true;
  if (!known)
    throw Error(path + ": tensor element type " + std::to_string(p.data_type()) +
                " is not supported (float16/32/64, int8..int64, uint8/16, bool)");
  if (p.dims_size() > kMaxTensorRank)
    throw Error(path + ": tensor has " + std::to_string(p.dims_size()) + " dimensions; the cap is " +
                std::to_string(kMaxTensorRank));
  for (auto d : p.dims()) {
    if (d < 0) throw Error(path + ": tensor has a negative dimension");
    t.dims.push_back(d);
  }
  const auto count = checked_numel(t.dims, kMaxTensorFileElements);
  if (!count)
    throw Error(path + ": tensor of shape " + dims_str(t.dims) + " has more than " +
                std::to_string(kMaxTensorFileElements) + " elements (the cap of one tensor file)");
  const std::string& raw = p.raw_data();
  if (p.has_raw_data()) {
    const uint64_t need = static_cast<uint64_t>(*count) * static_cast<uint64_t>(dtype_size(t.dtype));
    if (raw.size() != need)
      throw Error(path + ": tensor raw_data is " + std::to_string(raw.size()) + " bytes; shape " + dims_str(t.dims) +
                  " of " + dtype_name(t.dtype) + " needs " + std::to_string(need));
    decode_elements(raw.data(), t.dtype, *count, false, t.data);
    return t;
  }
  // Typed fields: float_data, double_data, int64_data, or int32_data for
  // every narrower integer type and for float16 (its bits).
  int64_t have = 0;
  switch (t.dtype) {
    case DType::kF32: have = p.float_data_size(); break;
    case DType::kF64: have = p.double_data_size(); break;
    case DType::kI64: have = p.int64_data_size(); break;
    default: have = p.int32_data_size(); break;
  }
  if (have != *count)
    throw Error(path + ": tensor holds " + std::to_string(have) + " values; shape " + dims_str(t.dims) + " needs " +
                std::to_string(*count));
  t.data.resize(static_cast<size_t>(*count));
  for (int64_t i = 0; i < *count; ++i) {
    const int j = static_cast<int>(i);
    double v = 0;
    switch (t.dtype) {
      case DType::kF32: v = p.float_data(j); break;
      case DType::kF64: v = p.double_data(j); break;
      case DType::kI64: v = static_cast<double>(p.int64_data(j)); break;
      case DType::kF16: v = half_to_float(static_cast<uint16_t>(p.int32_data(j))); break;
      default: v = p.int32_data(j); break;
    }
    t.data[static_cast<size_t>(i)] = v;
  }
  return t;
}

Tensor read_tensor_pb(const std::string& path, std::string* name) {
  return parse_tensor_pb(read_file_capped(path, "tensor file", kMaxTensorFileBytes), path, name);
}

std::string tensor_pb_bytes(const Tensor& t, const std::string& name, bool keep_dtype) {
  const DType dt = keep_dtype ? t.dtype : DType::kF32;
  TP p;
  p.set_name(name);
  for (auto d : t.dims) p.add_dims(d);
  for (const auto& m : kTypes)
    if (m.t == dt) p.set_data_type(m.onnx);
  p.set_raw_data(encode_elements(t.data, dt));
  return p.SerializeAsString();
}

void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name, bool keep_dtype) {
  write_file_atomic(path, tensor_pb_bytes(t, name, keep_dtype));
}

}  // namespace keymac
