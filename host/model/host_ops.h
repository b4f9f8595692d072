// The float implementation of every layer that runs on the host (all kinds
// but Gemm, Conv and MatMulAct), shared by the float executor and by the int8
// runtime (which dequantizes, calls this, and requantizes), so a host
// operator computes the same float values in both and on every backend.
// Contract: `in[i]` holds batch x numel(in_shapes[i]) floats (layout
// [batch][per-sample row-major]); `out` receives batch x numel(out_shape).
// The shapes were checked by the importer (or the package reader).
#pragma once
#include <vector>

#include "host/model/graph.h"

namespace keymac {

void run_host_op(LayerKind kind, const Window2d& win, const OpParams& p, const std::vector<const float*>& in,
                 const std::vector<Shape>& in_shapes, const Shape& out_shape, int64_t batch, float* out);

// Numpy broadcast of two per-sample shapes; empty optional-like result
// (ok = false) when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, bool& ok);

}  // namespace keymac
