// Test helper shared by the torch tests: keymac's float Graph with the
// dequantised weights of a QuantModel, for the float executor.
#pragma once
#include "host/model/graph.h"
#include "host/quant/quant_model.h"

namespace keymac {

// The graph with every Gemm/Conv weight and bias replaced by the quantized
// model's dequantised values (per-channel weight scale = acc_scale / layer
// input scale, bias = int32 bias * acc_scale), for keymac's float executor.
inline Graph dequantised_graph(const Graph& g, const QuantModel& q) {
  Graph d = g;
  size_t qi = 0;
  float in_scale = q.input_scale;
  for (auto& l : d.layers) {
    if (!l.is_gemm_like()) continue;
    while (!q.layers[qi].is_gemm_like()) ++qi;
    const QuantLayer& ql = q.layers[qi++];
    for (int64_t j = 0; j < l.n; ++j) {
      const double acc = ql.acc_scale[static_cast<size_t>(j)];
      for (int64_t kk = 0; kk < l.k; ++kk) {
        const size_t i = static_cast<size_t>(kk * l.n + j);
        l.weight[i] = static_cast<float>(ql.weight[i] * (acc / in_scale));
      }
      l.bias[static_cast<size_t>(j)] = static_cast<float>(ql.bias[static_cast<size_t>(j)] * acc);
    }
    if (!ql.output_int32) in_scale = ql.out_scale;
  }
  return d;
}

}  // namespace keymac
