// Post-training int8 quantization (symmetric, per-output-channel weights,
// per-tensor activations calibrated on training images).
// Contract: quantize() returns a QuantModel whose weights lie in [-127, 127];
// calib holds `calib_count` preprocessed float samples.
#pragma once
#include "host/model/graph.h"
#include "host/quant/quant_model.h"

namespace keymac {

QuantModel quantize(const Graph& g, const std::vector<float>& calib, int64_t calib_count,
                    const Preprocess& pre);

// quantize() calibrated on the first `calib_count` training images of the
// gzip-IDX dataset in data_dir (throws keymac::Error naming a bad file).
QuantModel quantize_on_training_set(const Graph& g, const std::string& data_dir, int64_t calib_count,
                                    const Preprocess& pre);

}  // namespace keymac
