// Float reference inference of a Graph (the "float model" accuracy).
// Contract: run() maps `batch` preprocessed samples (numel(input_shape) floats
// each) to batch x num_outputs() scores, computing layers exactly as ONNX
// defines them (float32 accumulation). Stateless; safe to call from threads.
#pragma once
#include <vector>

#include "host/model/graph.h"

namespace keymac {

std::vector<float> run_float(const Graph& g, const float* input, int64_t batch);

// Runs the graph and also records, per layer, max |value| of its output
// (used to calibrate activation scales).
std::vector<float> run_float_observed(const Graph& g, const float* input, int64_t batch,
                                      std::vector<float>& layer_absmax);

}  // namespace keymac
