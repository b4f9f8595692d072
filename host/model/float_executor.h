// Float reference inference of a Graph (the "float model" accuracy).
// Contract: run_float() maps `batch` preprocessed samples (numel(input_shape)
// floats each) to batch x num_outputs() values, computing every layer exactly
// as ONNX defines it (float32 accumulation), in the graph's topological order.
// Stateless; safe to call from threads.
#pragma once
#include <vector>

#include "host/model/graph.h"

namespace keymac {

std::vector<float> run_float(const Graph& g, const float* input, int64_t batch);

// The stable entry point for tools (keymac infer): `in_shape` is the full
// input shape with the batch first ([N,C,H,W], [N,F], ...); its per-sample
// part must equal g.input_shape (keymac::Error otherwise), and `in` must hold
// numel(in_shape) floats. Returns N x num_outputs() floats (per sample in the
// layout of g.output_shape()).
std::vector<float> run_float(const Graph& g, const std::vector<float>& in, const Shape& in_shape);

// Runs the graph and also records, per layer, max |value| of its output
// (used to calibrate activation scales).
std::vector<float> run_float_observed(const Graph& g, const float* input, int64_t batch,
                                      std::vector<float>& layer_absmax);

// Per layer, the index of the last layer that reads its output (the graph
// output, the last layer, is kept); -1 if nothing reads it. Executors free a
// tensor after its last reader.
std::vector<int> last_readers(const Graph& g);

// Float GEMM y[m][n] = bias[n] + sum_k x[m][k] w[k][n] (bias may be null),
// each element computed as acc = bias; for k ascending, if x != 0 (zero
// activations skipped): acc = acc + round(x * w) (never fused): the same bits
// on every CPU and path.
void gemm_f32(const float* x, const float* w, const float* bias, int64_t m, int64_t k, int64_t n, float* y);

}  // namespace keymac
