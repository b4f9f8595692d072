// Imports a network exported by PyTorch to ONNX into a keymac Graph.
// Supported: the operators of docs/OPERATORS.md (Gemm, MatMul, Conv with
// groups/dilation, ConvTranspose, the host activations, joins, axis ops),
// plus Constant, Identity, Dropout, Cast and the shape arithmetic PyTorch
// emits (Shape/Gather/Unsqueeze/Concat on shape tensors).
// Contract: the result is a DAG in topological order from the one graph input
// to the one output (the last layer); a constant Add after a Gemm/Conv is its
// bias and a BatchNormalization after one is folded into it when nothing else
// reads the Gemm/Conv output. Anything else throws keymac::Error
// "<path>: <problem>" naming the operator or node.
// Hostile files: every protobuf field is bounds-checked, and before anything
// is allocated the importer refuses a file over kMaxOnnxFileBytes, a tensor
// over kMaxTensorElements elements (checked 64-bit arithmetic), tensor data
// whose size does not match its dims, more than kMaxModelElements elements in
// all, NaN/Inf weights, biases or float attributes, and kernel/stride/padding
// values outside 0..kMaxWindow (docs/RELIABILITY.md).
#pragma once
#include <cstdint>
#include <string>

#include "host/model/graph.h"

namespace keymac {

constexpr int64_t kMaxOnnxFileBytes = int64_t(1) << 30;   // 1 GiB
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;  // one tensor (1 GiB of float)
constexpr int64_t kMaxModelElements = int64_t(1) << 29;   // all tensors and layers together
constexpr int64_t kMaxWindow = 4096;                      // kernel, stride, padding

Graph import_onnx(const std::string& path);
// The same from bytes already in memory (`path` names them in errors).
Graph import_onnx_bytes(const std::string& bytes, const std::string& path);

}  // namespace keymac
