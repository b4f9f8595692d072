// Imports a network exported by PyTorch to ONNX into a keymac Graph.
// Supported: Gemm, MatMul (+Add bias), Conv (group 1, dilation 1), Relu,
// MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape (with constant or
// Shape/Gather/Unsqueeze/Concat-computed shapes), Constant, Identity, Dropout,
// Squeeze/Unsqueeze/Cast on shape tensors.
// Contract: the result is a single chain from the one graph input to the
// output; anything else throws keymac::Error "<path>: <problem>" naming the
// operator or node.
#pragma once
#include <string>

#include "host/model/graph.h"

namespace keymac {

Graph import_onnx(const std::string& path);

}  // namespace keymac
