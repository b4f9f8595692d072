// NumPy .npy files (format versions 1.0, 2.0 and 3.0) read and written for
// `keymac infer` and the dataset loaders (docs/FORMATS.md, "Tensor files").
// Contract: parse_npy() accepts C-order arrays of the DType element types in
// either byte order and any rank up to kMaxTensorRank; everything else
// (Fortran order, structured or object dtypes, a header that is not the
// dict NumPy writes, data shorter or longer than the shape says, more than
// kMaxTensorFileElements elements) throws keymac::Error
// "<path>: <problem>" before the data is allocated. write_npy() writes
// version 1.0, little-endian float32 (or the tensor's integer type when
// `keep_dtype`) through the atomic output layer.
#pragma once
#include <string>

#include "host/tensor/tensor.h"

namespace keymac {

Tensor parse_npy(const std::string& bytes, const std::string& path);
Tensor read_npy(const std::string& path);
std::string npy_bytes(const Tensor& t, bool keep_dtype = false);
void write_npy(const std::string& path, const Tensor& t, bool keep_dtype = false);

}  // namespace keymac
