// Decoding and encoding the raw little/big-endian element bytes of a tensor
// file (.npy data, ONNX raw_data), shared by the .npy and TensorProto readers.
// Contract: decode_elements() reads count elements of `t` (each
// dtype_size(t) bytes) from `src` into `out`, swapping bytes when
// `big_endian`; the caller has checked that the source holds them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "host/tensor/tensor.h"

namespace keymac {

int dtype_size(DType t);
void decode_elements(const char* src, DType t, int64_t count, bool big_endian, std::vector<double>& out);
// Little-endian bytes of `data` stored as `t` (values are assumed in range).
std::string encode_elements(const std::vector<double>& data, DType t);

}  // namespace keymac
