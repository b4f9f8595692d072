// `keymac export`: a locked package as an ordinary float ONNX model, what a
// plain accelerator (or a thief holding the package) runs.
// Contract: every Gemm/Conv weight is the LOCKED int8 weight times its
// dequantisation scale (acc_scale / input scale), biases are dequantised;
// fused ReLUs, pools and reshapes are written as ONNX nodes (opset 13, input
// 'input' with a symbolic batch, output 'logits'). The file holds no key and
// no unlocked weight: it is built from the locked QuantModel alone. The
// input is preprocessed as the package says ((pixel/255 - mean)/std, noted
// in the model's doc string). Throws keymac::Error naming the path.
#pragma once
#include <string>

#include "host/quant/quant_model.h"

namespace keymac {

void export_float_onnx(const QuantModel& locked, const std::string& path);

}  // namespace keymac
