// A one-input ONNX model built in a test: input "x" of shape [N, dims...]
// (float, N symbolic), opset 13; `build` adds the nodes, initializers and
// outputs. Returns the serialised ModelProto for import_onnx_bytes().
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace keymac::test {

inline std::string onnx_model_bytes(const std::vector<int64_t>& dims,
                                     const std::function<void(onnx::GraphProto&)>& build) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto& g = *m.mutable_graph();
  auto* in = g.add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("N");
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  build(g);
  return m.SerializeAsString();
}

}  // namespace keymac::test
