#include "host/security/onnx_export.h"

#include <onnx/onnx_pb.h>

#include <fmt/format.h>

#include "sim/core/atomic_file.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

void add_float(onnx::GraphProto& g, const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  for (float x : v) t->add_float_data(x);
}

onnx::AttributeProto* attr(onnx::NodeProto* n, const std::string& name) {
  auto* a = n->add_attribute();
  a->set_name(name);
  return a;
}
void ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = attr(n, name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}
void one_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = attr(n, name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

}  // namespace

void export_float_onnx(const QuantModel& m, const std::string& path) {
  if (!m.is_plain_chain()) throw Error(path + ": float export supports plain chains of Gemm/Conv/Relu/pool layers only (this model is a DAG or uses other operators)");
  if (!m.locked) throw Error(path + ": refusing to export an unlocked model (export takes a locked package)");
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.set_producer_name("keymac export");
  auto* op = model.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  model.set_doc_string(fmt::format("locked model exported by keymac (locked for {}; no key); input = (pixel/255 - {}) / {}",
                                   m.lock_geometry.str(), m.preprocess.mean, m.preprocess.std));
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name("keymac_locked");
  auto* in = g.add_input();
  in->set_name("input");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("N");
  for (auto d : m.input_shape) tt->mutable_shape()->add_dim()->set_dim_value(d);

  std::string cur = "input";
  float in_scale = m.input_scale;  // real value of one int8 unit of the current tensor
  int idx = 0;
  for (size_t li = 0; li < m.layers.size(); ++li) {
    const QuantLayer& l = m.layers[li];
    const std::string base = fmt::format("l{}_{}", idx++, layer_kind_name(l.kind));
    const std::string out = li + 1 == m.layers.size() ? "logits" : base + "_out";
    auto* n = g.add_node();
    n->set_name(base);
    n->add_input(cur);
    switch (l.kind) {
      case LayerKind::kGemm:
      case LayerKind::kConv: {
        // W_real[k][n] = w[k][n] * acc_scale[n] / in_scale; bias = bias[n] * acc_scale[n].
        std::vector<float> w(static_cast<size_t>(l.k * l.n)), b(static_cast<size_t>(l.n));
        for (int64_t j = 0; j < l.n; ++j) {
          const double ws = static_cast<double>(l.acc_scale[static_cast<size_t>(j)]) / in_scale;
          b[static_cast<size_t>(j)] = static_cast<float>(static_cast<double>(l.bias[static_cast<size_t>(j)]) * l.acc_scale[static_cast<size_t>(j)]);
          for (int64_t k = 0; k < l.k; ++k)  // stored N x K (torch layout)
            w[static_cast<size_t>(j * l.k + k)] = static_cast<float>(l.weight[static_cast<size_t>(k * l.n + j)] * ws);
        }
        const std::string wn = base + "_weight", bn = base + "_bias";
        if (l.kind == LayerKind::kGemm) {
          n->set_op_type("Gemm");
          one_int(n, "transB", 1);
          add_float(g, wn, {l.n, l.k}, w);
        } else {
          n->set_op_type("Conv");
          add_float(g, wn, {l.n, l.in_shape[0], l.win.kh, l.win.kw}, w);
          ints(n, "kernel_shape", {l.win.kh, l.win.kw});
          ints(n, "strides", {l.win.sh, l.win.sw});
          ints(n, "pads", {l.win.pt, l.win.pl, l.win.pb, l.win.pr});
        }
        add_float(g, bn, {l.n}, b);
        n->add_input(wn);
        n->add_input(bn);
        if (l.relu) {
          n->add_output(base + "_pre");
          auto* r = g.add_node();
          r->set_name(base + "_relu");
          r->set_op_type("Relu");
          r->add_input(base + "_pre");
          r->add_output(out);
        } else {
          n->add_output(out);
        }
        in_scale = l.out_scale;
        break;
      }
      case LayerKind::kRelu:
        n->set_op_type("Relu");
        n->add_output(out);
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        n->set_op_type(l.kind == LayerKind::kMaxPool ? "MaxPool" : "AveragePool");
        ints(n, "kernel_shape", {l.win.kh, l.win.kw});
        ints(n, "strides", {l.win.sh, l.win.sw});
        ints(n, "pads", {l.win.pt, l.win.pl, l.win.pb, l.win.pr});
        n->add_output(out);
        break;
      case LayerKind::kReshape:
        if (l.out_shape.size() == 1) {
          n->set_op_type("Flatten");
          one_int(n, "axis", 1);
        } else {
          n->set_op_type("Reshape");
          auto* t = g.add_initializer();
          t->set_name(base + "_shape");
          t->set_data_type(onnx::TensorProto::INT64);
          t->add_dims(static_cast<int64_t>(l.out_shape.size() + 1));
          t->add_int64_data(-1);
          for (auto d : l.out_shape) t->add_int64_data(d);
          n->add_input(base + "_shape");
        }
        n->add_output(out);
        break;
      default:  // is_plain_chain() admits none of the others
        throw Error(path + ": internal: layer kind " + layer_kind_name(l.kind) + " in a plain chain");
    }
    cur = out;
  }
  if (cur != "logits") {  // chain ended on a non-GEMM layer already named logits above
    throw Error(path + ": internal: export produced no output");
  }
  auto* o = g.add_output();
  o->set_name("logits");
  auto* ot = o->mutable_type()->mutable_tensor_type();
  ot->set_elem_type(onnx::TensorProto::FLOAT);
  ot->mutable_shape()->add_dim()->set_dim_param("N");
  ot->mutable_shape()->add_dim()->set_dim_value(m.num_outputs);
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error(path + ": could not serialise the ONNX model");
  write_file_atomic(path, bytes);
}

}  // namespace keymac
