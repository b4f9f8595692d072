#include "host/model/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>

#include "base/checked.h"
#include "host/model/host_ops.h"
#include "sim/core/error.h"

namespace keymac {

namespace {

constexpr int64_t kBatch = std::numeric_limits<int64_t>::min();  // symbolic batch size

struct ConstTensor {
  std::vector<int64_t> dims;
  std::vector<float> f;    // float data (FLOAT / DOUBLE)
  std::vector<int64_t> i;  // integer data (INT64 / INT32), may hold kBatch
  bool is_int = false;
};

class Importer {
 public:
  explicit Importer(std::string path) : path_(std::move(path)) {}
  Graph run(const onnx::ModelProto& model);

 private:
  [[noreturn]] void fail(const std::string& msg) const { throw Error(path_ + ": " + msg); }
  // "<path>: node 'name' (Op): msg" for the node being imported.
  [[noreturn]] void fail_node(const std::string& msg) const {
    fail("node '" + node_ + "' (" + op_ + "): " + msg);
  }
  // Bounds-checked n.input(i) / n.output(i): a missing one is an error, never a protobuf CHECK.
  const std::string& in(const onnx::NodeProto& n, int i) const;
  const std::string& out(const onnx::NodeProto& n, int i) const;
  // Charges `elements` against kMaxModelElements before they are allocated.
  void charge(int64_t elements, const std::string& what);
  void check_finite(const std::vector<float>& v, const std::string& what) const;
  void check_shape(const Shape& s, const std::string& what) const;
  ConstTensor to_const(const onnx::TensorProto& t);
  const ConstTensor& constant(const std::string& name, const onnx::NodeProto& node) const;
  bool is_constant(const std::string& name) const { return consts_.count(name) != 0; }
  static const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name);
  std::vector<int64_t> ints_attr(const onnx::NodeProto& n, const char* name,
                                 std::vector<int64_t> def) const;
  int64_t int_attr(const onnx::NodeProto& n, const char* name, int64_t def) const;
  float float_attr(const onnx::NodeProto& n, const char* name, float def) const;
  std::string node_name(const onnx::NodeProto& n, size_t idx) const;

  // The activation tensor `name` (a graph input or a layer output).
  int tensor(const std::string& name) const;
  const Shape& shape_of(int t) const { return g_.tensor_shape(t); }
  // Appends `l` reading `inputs` (in_shape = the first one's) and names its output.
  void add_layer(Layer l, std::vector<int> inputs, const std::string& output);
  // Per-sample axis of ONNX axis `a` on a tensor of per-sample rank `rank` (batch refused).
  int64_t sample_axis(int64_t a, size_t rank, const char* what) const;
  const std::vector<float>& float_const(const std::string& name, const onnx::NodeProto& n) const;

  void gemm(const onnx::NodeProto& n);
  void matmul(const onnx::NodeProto& n);
  void elementwise(const onnx::NodeProto& n, LayerKind kind);
  void unary(const onnx::NodeProto& n, LayerKind kind);
  void conv(const onnx::NodeProto& n, bool transposed);
  void pool(const onnx::NodeProto& n, LayerKind kind, bool global);
  void reshape(const onnx::NodeProto& n, bool flatten);
  void squeeze(const onnx::NodeProto& n, bool unsqueeze);
  void batchnorm(const onnx::NodeProto& n);
  void concat(const onnx::NodeProto& n);
  void softmax(const onnx::NodeProto& n);
  void transpose(const onnx::NodeProto& n);
  void reduce_mean(const onnx::NodeProto& n);
  void layernorm(const onnx::NodeProto& n);
  void slice(const onnx::NodeProto& n);
  void split(const onnx::NodeProto& n);
  bool shape_op(const onnx::NodeProto& n);
  bool fold_constant(const onnx::NodeProto& n);
  // The window of a conv/pool over per-sample spatial dims h x w (rank 1: h = 1)
  // with kernel kh x kw, auto_pad resolved to explicit pads.
  Window2d window(const onnx::NodeProto& n, int rank, int64_t h, int64_t w, int64_t kh, int64_t kw) const;
  // 1-D conv/pool: a Reshape of input x ([C,L]) to [C,1,L] (returns its tensor), and
  // after the 2-D layer `l`, a Reshape of its output back to [C',L'] named `output`.
  int as_2d(int x);
  void add_1d_layer(Layer l, int x2d, const std::string& output);
  // Folds a constant Add (bias) and a BatchNorm (ScaleShift) into the Gemm/Conv
  // that is their only input's producer when nothing else reads that output.
  void fold_into_producers();

  std::string path_;
  int opset_ = 13;
  Graph g_;
  std::map<std::string, int> tensors_;  // activation tensor name -> kGraphInput or layer index
  std::map<std::string, ConstTensor> consts_;
  std::string node_, op_;     // node being imported (for messages)
  int64_t budget_used_ = 0;   // elements materialised so far
};

const std::string& Importer::in(const onnx::NodeProto& n, int i) const {
  if (i >= n.input_size()) fail_node("input " + std::to_string(i) + " is missing");
  return n.input(i);
}

const std::string& Importer::out(const onnx::NodeProto& n, int i) const {
  if (i >= n.output_size() || n.output(i).empty()) fail_node("output " + std::to_string(i) + " is missing");
  return n.output(i);
}

void Importer::charge(int64_t elements, const std::string& what) {
  auto total = checked_add(budget_used_, elements);
  if (elements < 0 || !total || *total > kMaxModelElements)
    fail(what + " would take the model past " + std::to_string(kMaxModelElements) +
         " elements in all (the cap of one import)");
  budget_used_ = *total;
}

void Importer::check_finite(const std::vector<float>& v, const std::string& what) const {
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      fail_node(what + " holds " + (std::isnan(v[i]) ? "NaN" : "an infinite value") + " at element " + std::to_string(i));
}

void Importer::check_shape(const Shape& s, const std::string& what) const {
  for (auto d : s)
    if (d < 1) fail_node(what + " " + shape_str(s) + " has a dimension below 1");
  if (!checked_numel(s, kMaxTensorElements))
    fail_node(what + " " + shape_str(s) + " has more than " + std::to_string(kMaxTensorElements) + " elements");
}

ConstTensor Importer::to_const(const onnx::TensorProto& t) {
  ConstTensor c;
  const std::string tname = "tensor '" + t.name() + "'";
  for (auto d : t.dims()) {
    if (d < 0) fail(tname + " has a negative dimension");
    c.dims.push_back(d);
  }
  const auto counted = checked_numel(c.dims, kMaxTensorElements);
  if (!counted)
    fail(tname + " has more than " + std::to_string(kMaxTensorElements) + " elements (the cap of one tensor)");
  const int64_t count = *counted;
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail(tname + " uses external data, which keymac does not read");
  const std::string& raw = t.raw_data();
  // The data present must match the dims before anything is allocated.
  auto need = [&](size_t bytes, int typed_count) {
    if (!raw.empty()) {
      if (raw.size() != bytes * static_cast<size_t>(count))
        fail(tname + " has " + std::to_string(raw.size()) + " bytes of data, expected " +
             std::to_string(bytes * static_cast<size_t>(count)));
    } else if (typed_count != count) {
      fail(tname + " has " + std::to_string(typed_count) + " values, expected " + std::to_string(count));
    }
  };
  charge(count, tname);
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      need(4, t.float_data_size());
      c.f.resize(static_cast<size_t>(count));
      if (!raw.empty()) std::memcpy(c.f.data(), raw.data(), raw.size());
      else std::copy(t.float_data().begin(), t.float_data().end(), c.f.begin());
      break;
    case onnx::TensorProto::DOUBLE: {
      need(8, t.double_data_size());
      c.f.resize(static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) {
        double v;
        if (!raw.empty()) std::memcpy(&v, raw.data() + 8 * i, 8);
        else v = t.double_data(static_cast<int>(i));
        // Out of float range becomes inf (refused where the value is used), never UB.
        c.f[static_cast<size_t>(i)] = std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()
                                          ? (v > 0 ? INFINITY : -INFINITY)
                                          : static_cast<float>(v);
      }
      break;
    }
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::INT32: {
      const bool is64 = t.data_type() == onnx::TensorProto::INT64;
      need(is64 ? 8 : 4, is64 ? t.int64_data_size() : t.int32_data_size());
      c.is_int = true;
      c.i.resize(static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) {
        int64_t v = 0;
        if (!raw.empty()) {
          if (is64) std::memcpy(&v, raw.data() + 8 * i, 8);
          else { int32_t v32; std::memcpy(&v32, raw.data() + 4 * i, 4); v = v32; }
        } else if (is64) v = t.int64_data(static_cast<int>(i));
        else v = t.int32_data(static_cast<int>(i));
        c.i[static_cast<size_t>(i)] = v;
      }
      break;
    }
    default:
      fail(tname + " has data type " + std::to_string(t.data_type()) +
           ", keymac reads float, double, int32 and int64");
  }
  return c;
}

const ConstTensor& Importer::constant(const std::string& name, const onnx::NodeProto&) const {
  auto it = consts_.find(name);
  if (it == consts_.end())
    fail_node("input '" + name + "' must be a constant (initializer)");
  return it->second;
}

const onnx::AttributeProto* Importer::attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::vector<int64_t> Importer::ints_attr(const onnx::NodeProto& n, const char* name,
                                         std::vector<int64_t> def) const {
  auto* a = attr(n, name);
  if (!a) return def;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

int64_t Importer::int_attr(const onnx::NodeProto& n, const char* name, int64_t def) const {
  auto* a = attr(n, name);
  return a ? a->i() : def;
}

float Importer::float_attr(const onnx::NodeProto& n, const char* name, float def) const {
  auto* a = attr(n, name);
  if (!a) return def;
  if (!std::isfinite(a->f())) fail_node(std::string("attribute ") + name + " is not a finite number");
  return a->f();
}

std::string Importer::node_name(const onnx::NodeProto& n, size_t idx) const {
  return n.name().empty() ? n.op_type() + "_" + std::to_string(idx) : n.name();
}

int Importer::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it != tensors_.end()) return it->second;
  if (is_constant(name)) fail_node("input '" + name + "' is a constant where keymac needs an activation tensor");
  fail_node("input '" + name + "' is not produced by any earlier node (graph not in topological order?)");
}

void Importer::add_layer(Layer l, std::vector<int> inputs, const std::string& output) {
  l.name = node_;
  l.in_shape = shape_of(inputs.at(0));
  check_shape(l.out_shape, "output");
  charge(numel(l.out_shape), "node '" + node_ + "' output");
  l.inputs = std::move(inputs);
  g_.layers.push_back(std::move(l));
  tensors_[output] = static_cast<int>(g_.layers.size()) - 1;
}

int64_t Importer::sample_axis(int64_t a, size_t rank, const char* what) const {
  const int64_t full = static_cast<int64_t>(rank) + 1;
  if (a < -full || a >= full) fail_node(std::string(what) + " " + std::to_string(a) + " is out of range for a rank-" + std::to_string(full) + " tensor");
  if (a < 0) a += full;
  if (a == 0) fail_node(std::string(what) + " is the batch dimension, which keymac keeps first and whole");
  return a - 1;
}

const std::vector<float>& Importer::float_const(const std::string& name, const onnx::NodeProto& n) const {
  const ConstTensor& c = constant(name, n);
  if (c.is_int) fail_node("input '" + name + "' must be a float tensor");
  check_finite(c.f, "constant '" + name + "'");
  return c.f;
}

Window2d Importer::window(const onnx::NodeProto& n, int rank, int64_t h, int64_t w_in, int64_t kh, int64_t kw) const {
  Window2d w;
  // A 1-D window is the 2-D one with H=1: its attributes fill the W entries.
  const std::vector<int64_t> one(static_cast<size_t>(rank), 1);
  auto ks = ints_attr(n, "kernel_shape", {});
  auto st = ints_attr(n, "strides", one);
  auto pads = ints_attr(n, "pads", std::vector<int64_t>(static_cast<size_t>(2 * rank), 0));
  auto dil = ints_attr(n, "dilations", one);
  const auto r = static_cast<size_t>(rank);
  if (ks.size() != r && !ks.empty()) fail_node("only 1-D and 2-D windows are supported");
  if (st.size() != r || pads.size() != 2 * r || dil.size() != r) fail_node("only 1-D and 2-D strides/pads/dilations are supported");
  // Range-check before narrowing to int: 2^32 must not wrap to 0.
  auto in_range = [&](const std::vector<int64_t>& v, int64_t lo, const char* what) {
    for (auto x : v)
      if (x < lo || x > kMaxWindow)
        fail_node(std::string(what) + " value " + std::to_string(x) + " is out of range " + std::to_string(lo) + ".." +
                  std::to_string(kMaxWindow));
  };
  in_range(ks, 1, "kernel_shape");
  in_range(st, 1, "strides");
  in_range(pads, 0, "pads");
  in_range(dil, 1, "dilations");
  if (rank == 1) {
    st.insert(st.begin(), 1);
    dil.insert(dil.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  w.kh = static_cast<int>(kh);
  w.kw = static_cast<int>(kw);
  w.sh = static_cast<int>(st[0]);
  w.sw = static_cast<int>(st[1]);
  w.dh = static_cast<int>(dil[0]);
  w.dw = static_cast<int>(dil[1]);
  // auto_pad (ONNX): SAME_* pads so that out = ceil(in / stride) (ConvTranspose:
  // in * stride), the odd unit at the end (SAME_UPPER) or the start (SAME_LOWER);
  // VALID pads nothing.
  auto ap = attr(n, "auto_pad");
  const std::string mode = ap ? ap->s() : "";
  if (mode.empty() || mode == "NOTSET") {
    w.pt = static_cast<int>(pads[0]);
    w.pl = static_cast<int>(pads[1]);
    w.pb = static_cast<int>(pads[2]);
    w.pr = static_cast<int>(pads[3]);
  } else if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
    // ConvTranspose: out = in * stride, total = stride*(in-1) + output_padding + (k-1)*d + 1 - out.
    const bool transposed = op_ == "ConvTranspose";
    auto opad = ints_attr(n, "output_padding", std::vector<int64_t>(r, 0));
    if (opad.size() != r) fail_node("output_padding must have one value per spatial axis");
    if (rank == 1) opad.insert(opad.begin(), 0);
    size_t axis = 0;
    auto same = [&](int64_t in, int s, int d, int k, int& begin, int& end) {
      const int64_t window = (k - 1) * static_cast<int64_t>(d) + 1, op = opad[axis++];
      const int64_t total = transposed ? std::max<int64_t>(0, s * (in - 1) + op + window - in * s)
                                       : std::max<int64_t>(0, ((in + s - 1) / s - 1) * s + window - in);
      const int64_t small = total / 2, large = total - small;
      begin = static_cast<int>(mode == "SAME_UPPER" ? small : large);
      end = static_cast<int>(mode == "SAME_UPPER" ? large : small);
    };
    same(h, w.sh, w.dh, w.kh, w.pt, w.pb);
    same(w_in, w.sw, w.dw, w.kw, w.pl, w.pr);
  } else if (mode != "VALID") {
    fail_node("auto_pad=" + mode + " is not an ONNX auto_pad value");
  }
  return w;
}

void Importer::gemm(const onnx::NodeProto& n) {
  if (n.input_size() < 2) fail_node("needs two inputs");
  const int x = tensor(in(n, 0));
  // A is the activation [batch, K]; transA=1 would read it as [K, batch].
  if (int_attr(n, "transA", 0) != 0)
    fail_node("transA=1 reads the activation as [K, batch], moving the batch dimension, which keymac keeps first and whole");
  const bool tb = int_attr(n, "transB", 0) != 0;
  const float alpha = float_attr(n, "alpha", 1.0f), beta = float_attr(n, "beta", 1.0f);
  const ConstTensor& b = constant(in(n, 1), n);
  if (b.dims.size() != 2 || b.is_int) fail_node("weight must be a 2-D float tensor");
  const Shape in_s = shape_of(x);
  if (in_s.size() != 1) fail_node("input of per-sample shape " + shape_str(in_s) + " is not a vector (flatten it first)");
  Layer l;
  l.kind = LayerKind::kGemm;
  l.k = tb ? b.dims[1] : b.dims[0];
  l.n = tb ? b.dims[0] : b.dims[1];
  if (l.k != in_s[0]) fail_node("weight has K=" + std::to_string(l.k) + " but input has " + std::to_string(in_s[0]) + " features");
  if (l.n < 1) fail_node("weight has N=0 outputs");
  charge(l.k * l.n, "node '" + node_ + "' weight");  // k*n == b.f.size(), already bounded
  l.weight.resize(static_cast<size_t>(l.k * l.n));
  for (int64_t kk = 0; kk < l.k; ++kk)
    for (int64_t j = 0; j < l.n; ++j)
      l.weight[static_cast<size_t>(kk * l.n + j)] = alpha * (tb ? b.f[static_cast<size_t>(j * l.k + kk)] : b.f[static_cast<size_t>(kk * l.n + j)]);
  l.bias.assign(static_cast<size_t>(l.n), 0.0f);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const ConstTensor& c = constant(n.input(2), n);
    if (c.is_int) fail_node("bias must be float");
    if (c.f.size() == static_cast<size_t>(l.n)) for (int64_t j = 0; j < l.n; ++j) l.bias[static_cast<size_t>(j)] = beta * c.f[static_cast<size_t>(j)];
    else if (c.f.size() == 1) for (auto& v : l.bias) v = beta * c.f[0];
    else fail_node("bias of " + std::to_string(c.f.size()) + " values does not broadcast to N=" + std::to_string(l.n));
  }
  check_finite(l.weight, "weight '" + n.input(1) + "' (times alpha)");
  check_finite(l.bias, "bias (times beta)");
  l.out_shape = {l.n};
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::matmul(const onnx::NodeProto& n) {
  if (n.input_size() != 2) fail_node("needs two inputs");
  const int x = tensor(in(n, 0));
  const Shape in_s = shape_of(x);
  if (in_s.empty()) fail_node("input is a scalar per sample");
  Layer l;
  if (!is_constant(in(n, 1))) {
    // Activation x activation (attention): [.., M, K] x [.., K, N], same leading dims.
    const int y = tensor(in(n, 1));
    const Shape sb = shape_of(y);
    if (in_s.size() < 2 || sb.size() != in_s.size() || !std::equal(in_s.begin(), in_s.end() - 2, sb.begin()) ||
        in_s.back() != sb[sb.size() - 2])
      fail_node("activation product " + shape_str(in_s) + " x " + shape_str(sb) + " is not [..,M,K] x [..,K,N] with equal leading dims");
    l.kind = LayerKind::kMatMulAct;
    l.k = in_s.back();
    l.n = sb.back();
    l.out_shape = in_s;
    l.out_shape.back() = l.n;
    add_layer(std::move(l), {x, y}, out(n, 0));
    return;
  }
  const ConstTensor& b = constant(in(n, 1), n);
  if (b.dims.size() != 2 || b.is_int) fail_node("weight must be a 2-D float tensor");
  if (in_s.back() != b.dims[0])
    fail_node("input " + shape_str(in_s) + " does not match weight " + shape_str(b.dims));
  l.kind = LayerKind::kGemm;
  l.k = b.dims[0];
  l.n = b.dims[1];
  if (l.n < 1) fail_node("weight has N=0 outputs");
  charge(l.k * l.n, "node '" + node_ + "' weight");
  l.weight = b.f;
  check_finite(l.weight, "weight '" + n.input(1) + "'");
  l.bias.assign(static_cast<size_t>(l.n), 0.0f);
  l.out_shape = in_s;
  l.out_shape.back() = l.n;
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::elementwise(const onnx::NodeProto& n, LayerKind kind) {
  if (n.input_size() != 2) fail_node("needs two inputs");
  const bool c0 = is_constant(in(n, 0)), c1 = is_constant(in(n, 1));
  Layer l;
  l.kind = kind;
  if (!c0 && !c1) {
    const int a = tensor(in(n, 0)), b = tensor(in(n, 1));
    bool ok = false;
    l.out_shape = broadcast_shapes(shape_of(a), shape_of(b), ok);
    if (!ok || l.out_shape != shape_of(a))
      fail_node("operands " + shape_str(shape_of(a)) + " and " + shape_str(shape_of(b)) +
                " do not broadcast to the first one's shape");
    if (kind == LayerKind::kConcat) fail_node("internal");
    add_layer(std::move(l), {a, b}, out(n, 0));
    return;
  }
  const int x = tensor(in(n, c0 ? 1 : 0));
  const Shape xs = shape_of(x);
  const ConstTensor& c = constant(in(n, c0 ? 0 : 1), n);
  if (c.is_int) fail_node("constant operand must be float");
  l.p.consts = c.f;
  check_finite(l.p.consts, "constant '" + in(n, c0 ? 0 : 1) + "'");
  l.p.const_first = c0;
  // A constant of the full rank (batch included) must have 1 as its batch dimension.
  l.p.const_shape = c.dims;
  if (l.p.const_shape.size() == xs.size() + 1) {
    if (l.p.const_shape[0] != 1) fail_node("constant " + shape_str(c.dims) + " varies along the batch dimension");
    l.p.const_shape.erase(l.p.const_shape.begin());
  }
  bool ok = false;
  l.out_shape = broadcast_shapes(xs, l.p.const_shape, ok);
  if (!ok || l.out_shape != xs)
    fail_node("constant " + shape_str(c.dims) + " does not broadcast to the input's per-sample shape " + shape_str(xs));
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::unary(const onnx::NodeProto& n, LayerKind kind) {
  const int x = tensor(in(n, 0));
  Layer l;
  l.kind = kind;
  l.out_shape = shape_of(x);
  if (kind == LayerKind::kLeakyRelu) l.p.alpha = float_attr(n, "alpha", 0.01f);
  if (kind == LayerKind::kHardSigmoid) {
    l.p.alpha = float_attr(n, "alpha", 0.2f);
    l.p.beta = float_attr(n, "beta", 0.5f);
  }
  if (kind == LayerKind::kElu || kind == LayerKind::kCelu || kind == LayerKind::kThresholdedRelu)
    l.p.alpha = float_attr(n, "alpha", 1.0f);
  if (kind == LayerKind::kCelu && l.p.alpha == 0.0f) fail_node("alpha=0 divides by zero");
  if (kind == LayerKind::kSelu) {
    l.p.alpha = float_attr(n, "alpha", 1.67326319217681884765625f);
    l.p.beta = float_attr(n, "gamma", 1.05070102214813232421875f);
  }
  if (kind == LayerKind::kShrink) {
    l.p.alpha = float_attr(n, "lambd", 0.5f);
    l.p.beta = float_attr(n, "bias", 0.0f);
  }
  if (kind == LayerKind::kClip) {
    l.p.alpha = -std::numeric_limits<float>::max();
    l.p.beta = std::numeric_limits<float>::max();
    if (opset_ < 11) {
      l.p.alpha = float_attr(n, "min", l.p.alpha);
      l.p.beta = float_attr(n, "max", l.p.beta);
    }
    for (int i = 1; i < 3 && i < n.input_size(); ++i) {
      if (n.input(i).empty()) continue;
      const auto& v = float_const(n.input(i), n);
      if (v.size() != 1) fail_node("min/max must be scalars");
      (i == 1 ? l.p.alpha : l.p.beta) = v[0];
    }
  }
  add_layer(std::move(l), {x}, out(n, 0));
}

int Importer::as_2d(int x) {
  const Shape s = shape_of(x);
  Layer r;
  r.kind = LayerKind::kReshape;
  r.out_shape = {s[0], 1, s[1]};
  const std::string name = node_ + "#as2d";
  add_layer(std::move(r), {x}, name);
  return tensor(name);
}

void Importer::add_1d_layer(Layer l, int x2d, const std::string& output) {
  const Shape o = l.out_shape;
  const std::string mid = node_ + "#2d";
  add_layer(std::move(l), {x2d}, mid);
  Layer r;
  r.kind = LayerKind::kReshape;
  r.out_shape = {o[0], o[2]};
  add_layer(std::move(r), {tensor(mid)}, output);
}

void Importer::conv(const onnx::NodeProto& n, bool transposed) {
  if (n.input_size() < 2) fail_node("needs at least two inputs");
  int x = tensor(in(n, 0));
  const int64_t groups = int_attr(n, "group", 1);
  const ConstTensor& w = constant(in(n, 1), n);
  if ((w.dims.size() != 4 && w.dims.size() != 3) || w.is_int) fail_node("only 1-D and 2-D convolutions with a float weight are supported");
  // 1-D (Conv1d, input [N,C,L], weight [Cout,Cin/g,k]): the 2-D conv with H=1 and
  // kh=1 between two Reshapes; the weight matrix (and so the key map) is the same.
  const bool one_d = w.dims.size() == 3;
  Shape in_s = shape_of(x);
  if (in_s.size() != (one_d ? 2u : 3u))
    fail_node("input of per-sample shape " + shape_str(in_s) + " is not " + (one_d ? "CxL" : "CxHxW") + " for a " + (one_d ? "1" : "2") + "-D weight");
  if (one_d) {
    if (!in_int_range(in_s[1])) fail_node("input " + shape_str(in_s) + " is too large");
    x = as_2d(x);
    in_s = shape_of(x);
  }
  if (groups < 1 || in_s[0] % groups != 0) fail_node("group=" + std::to_string(groups) + " does not divide the " + std::to_string(in_s[0]) + " input channels");
  if (transposed && groups != 1) fail_node("grouped ConvTranspose is not supported");
  // ONNX weight: Conv [Cout][Cin/g][kh][kw]; ConvTranspose [Cin][Cout][kh][kw] (1-D: no kh).
  const int64_t cin = in_s[0], cin_g = transposed ? w.dims[0] : w.dims[1];
  const int64_t cout = transposed ? w.dims[1] : w.dims[0], kh = one_d ? 1 : w.dims[2], kw = w.dims.back();
  if (cin_g * groups != cin) fail_node("weight expects " + std::to_string(cin_g * groups) + " input channels, input has " + std::to_string(cin));
  if (cout < 1 || cout % groups != 0 || kh < 1 || kw < 1 || kh > kMaxWindow || kw > kMaxWindow)
    fail_node("weight shape " + shape_str(w.dims) + " is not [Cout>=1, Cin/group, kh, kw] with kernel 1.." + std::to_string(kMaxWindow));
  if (!in_int_range(in_s[1]) || !in_int_range(in_s[2])) fail_node("input " + shape_str(in_s) + " is too large");
  Layer l;
  l.kind = LayerKind::kConv;
  l.groups = groups;
  l.win = window(n, one_d ? 1 : 2, in_s[1], in_s[2], kh, kw);
  const auto ks = ints_attr(n, "kernel_shape", {});
  if (!ks.empty() && (ks.front() != (one_d ? kw : kh) || ks.back() != kw))
    fail_node("kernel_shape " + shape_str(ks) + " does not match the weight's " + std::to_string(kh) + "x" + std::to_string(kw) + " kernel");
  l.win.kh = static_cast<int>(kh);
  l.win.kw = static_cast<int>(kw);
  if (transposed) {
    // ConvTranspose = Conv over the input with stride-1 zeros inserted, padded by
    // dilation*(k-1) - pad (+ output_padding at the end), flipped kernel, stride 1.
    if (attr(n, "output_shape")) fail_node("output_shape is not supported (use pads)");
    auto op = ints_attr(n, "output_padding", std::vector<int64_t>(one_d ? 1 : 2, 0));
    if (one_d && op.size() == 1) op.insert(op.begin(), 0);
    if (op.size() != 2 || op[0] < 0 || op[1] < 0 || op[0] >= std::max(l.win.sh, l.win.dh) || op[1] >= std::max(l.win.sw, l.win.dw))
      fail_node("output_padding must be 2 values below the stride or dilation");
    Window2d t = l.win;
    const int eh = l.win.dh * (l.win.kh - 1), ew = l.win.dw * (l.win.kw - 1);
    if (l.win.pt > eh || l.win.pb > eh || l.win.pl > ew || l.win.pr > ew)
      fail_node("padding larger than dilation*(kernel-1) is not supported");
    t.uh = l.win.sh;
    t.uw = l.win.sw;
    t.sh = t.sw = 1;
    t.pt = eh - l.win.pt;
    t.pb = eh - l.win.pb + static_cast<int>(op[0]);
    t.pl = ew - l.win.pl;
    t.pr = ew - l.win.pr + static_cast<int>(op[1]);
    l.win = t;
  }
  const int oh = l.win.out_h(static_cast<int>(in_s[1])), ow = l.win.out_w(static_cast<int>(in_s[2]));
  if (oh < 1 || ow < 1) fail_node("kernel larger than its padded input");
  l.k = cin * kh * kw;
  l.n = cout;
  auto kn = checked_mul(l.k, l.n);
  if (!kn || *kn > kMaxTensorElements) fail_node("weight matrix is too large");
  charge(*kn, "node '" + node_ + "' weight");
  l.weight.assign(static_cast<size_t>(*kn), 0.0f);
  // W[k][n] with k = (cin*kh + y)*kw + x; a grouped conv fills only the block of
  // its group (block-diagonal; ARCHITECTURE.md section 12).
  const int64_t cout_g = cout / groups, khw = kh * kw;
  for (int64_t o = 0; o < cout; ++o) {
    const int64_t g = o / cout_g;
    for (int64_t ci = 0; ci < cin_g; ++ci)
      for (int64_t r = 0; r < khw; ++r) {
        const int64_t kk = (g * cin_g + ci) * khw + r;
        const float v = transposed ? w.f[static_cast<size_t>((ci * cout + o) * khw + (khw - 1 - r))]
                                   : w.f[static_cast<size_t>((o * cin_g + ci) * khw + r)];
        l.weight[static_cast<size_t>(kk * l.n + o)] = v;
      }
  }
  check_finite(l.weight, "weight '" + n.input(1) + "'");
  l.bias.assign(static_cast<size_t>(l.n), 0.0f);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const ConstTensor& b = constant(n.input(2), n);
    if (b.is_int || b.f.size() != static_cast<size_t>(cout)) fail_node("bias has the wrong length");
    l.bias = b.f;
    check_finite(l.bias, "bias '" + n.input(2) + "'");
  }
  l.out_shape = {cout, oh, ow};
  if (one_d) add_1d_layer(std::move(l), x, out(n, 0));
  else add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::pool(const onnx::NodeProto& n, LayerKind kind, bool global) {
  int x = tensor(in(n, 0));
  Shape in_s = shape_of(x);
  // 1-D pools ([C,L] per sample) run as the 2-D pool with H=1 between two Reshapes.
  const bool one_d = in_s.size() == 2;
  if (in_s.size() != 3 && !one_d) fail_node("input of per-sample shape " + shape_str(in_s) + " is not CxL or CxHxW");
  if (one_d) {
    if (!in_int_range(in_s[1])) fail_node("input " + shape_str(in_s) + " is too large");
    x = as_2d(x);
    in_s = shape_of(x);
  }
  if (!in_int_range(in_s[1]) || !in_int_range(in_s[2])) fail_node("input " + shape_str(in_s) + " is too large");
  Layer l;
  l.kind = kind;
  if (global) {
    l.win.kh = static_cast<int>(in_s[1]);
    l.win.kw = static_cast<int>(in_s[2]);
  } else {
    const auto ks = ints_attr(n, "kernel_shape", {});
    if (ks.empty()) fail_node("kernel_shape is missing");
    if (ks.size() != (one_d ? 1u : 2u)) fail_node("kernel_shape " + shape_str(ks) + " does not match the input " + shape_str(shape_of(tensor(in(n, 0)))) + "; only 1-D and 2-D windows are supported");
    for (auto k : ks)
      if (k < 1 || k > kMaxWindow) fail_node("kernel_shape value " + std::to_string(k) + " is out of range 1.." + std::to_string(kMaxWindow));
    l.win = window(n, one_d ? 1 : 2, in_s[1], in_s[2], one_d ? 1 : ks[0], ks.back());
    if (kind == LayerKind::kAvgPool && (l.win.dh != 1 || l.win.dw != 1)) fail_node("dilated average pooling is not supported");
    if (kind == LayerKind::kMaxPool && n.output_size() > 1 && !n.output(1).empty())
      fail_node("the indices output is not supported");
    if (l.win.pt >= l.win.kh || l.win.pb >= l.win.kh || l.win.pl >= l.win.kw || l.win.pr >= l.win.kw)
      fail_node("padding must be smaller than the window");
    l.win.count_pad = kind == LayerKind::kAvgPool && int_attr(n, "count_include_pad", 0) != 0;
    // ceil_mode=1: out = ceil((in + pads - window) / stride) + 1, less one if the last
    // window would start past the input and its left padding (ONNX / PyTorch); the
    // extra end padding this needs is ceil_b / ceil_r (never counted by an average).
    const auto mode = attr(n, "auto_pad");
    const bool explicit_pads = !mode || mode->s().empty() || mode->s() == "NOTSET";
    if (int_attr(n, "ceil_mode", 0) != 0 && explicit_pads) {
      auto extend = [](int64_t in, int k, int s, int d, int begin, int& end, int& ext) {
        const int64_t span = in + begin + end - ((k - 1) * static_cast<int64_t>(d) + 1);
        int64_t out = (span + s - 1) / s + 1;
        if ((out - 1) * s >= in + begin) --out;
        ext = static_cast<int>(std::max<int64_t>(0, (out - 1) * s - span));
        end += ext;
      };
      extend(in_s[1], l.win.kh, l.win.sh, l.win.dh, l.win.pt, l.win.pb, l.win.ceil_b);
      extend(in_s[2], l.win.kw, l.win.sw, l.win.dw, l.win.pl, l.win.pr, l.win.ceil_r);
    }
  }
  const int oh = l.win.out_h(static_cast<int>(in_s[1])), ow = l.win.out_w(static_cast<int>(in_s[2]));
  if (oh < 1 || ow < 1) fail_node("window larger than its input");
  l.out_shape = {in_s[0], oh, ow};
  if (one_d) add_1d_layer(std::move(l), x, out(n, 0));
  else add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::reshape(const onnx::NodeProto& n, bool flatten) {
  const int x = tensor(in(n, 0));
  const Shape in_s = shape_of(x);
  const int64_t in_count = numel(in_s);  // bounded: every layer's shape was checked
  Shape out_s;
  if (flatten) {
    if (int_attr(n, "axis", 1) != 1) fail_node("only axis=1 is supported");
    out_s = {in_count};
  } else {
    if (n.input_size() != 2) fail_node("needs two inputs");
    const ConstTensor& s = constant(n.input(1), n);
    if (!s.is_int || s.dims.size() != 1 || s.i.empty()) fail_node("shape must be a 1-D integer tensor");
    if (s.i.size() > 64) fail_node("shape has more than 64 dimensions");
    // First dimension must stay the batch: kBatch, -1 (with the rest fixed) or 0 (copy).
    int64_t first = s.i[0];
    if (first != kBatch && first != 0 && first != -1)
      fail_node("keymac needs the batch dimension first; shape starts with " + std::to_string(first));
    int64_t known = 1, infer = -1;
    for (size_t d = 1; d < s.i.size(); ++d) {
      int64_t v = s.i[d];
      if (v == 0 && d - 1 < in_s.size()) v = in_s[d - 1];
      if (v == -1) {
        if (infer >= 0) fail_node("more than one -1 in the shape");
        infer = static_cast<int64_t>(out_s.size());
        out_s.push_back(1);
      } else if (v < 1) {
        fail_node("unsupported target dimension " + std::to_string(v));
      } else {
        auto k2 = checked_mul(known, v);
        if (!k2 || *k2 > in_count) fail_node("cannot reshape " + shape_str(in_s) + " as requested");
        out_s.push_back(v);
        known = *k2;
      }
    }
    if (first == -1 && infer >= 0) fail_node("cannot infer both batch and a dimension");
    if (infer >= 0) {
      if (known == 0 || in_count % known != 0) fail_node("cannot reshape " + shape_str(in_s) + " as requested");
      out_s[static_cast<size_t>(infer)] = in_count / known;
    }
    if (out_s.empty()) out_s = {1};
    if (numel(out_s) != in_count)
      fail_node(shape_str(in_s) + " cannot become " + shape_str(out_s) + " per sample");
  }
  Layer l;
  l.kind = LayerKind::kReshape;
  l.out_shape = out_s;
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::squeeze(const onnx::NodeProto& n, bool unsqueeze) {
  const int x = tensor(in(n, 0));
  Shape s = shape_of(x);
  std::vector<int64_t> axes = ints_attr(n, "axes", {});
  if (n.input_size() > 1 && !n.input(1).empty()) {
    const ConstTensor& c = constant(n.input(1), n);
    if (!c.is_int) fail_node("axes must be integers");
    axes = c.i;
  }
  if (unsqueeze) {
    if (axes.empty()) fail_node("axes are missing");
    const size_t rank = s.size() + axes.size();
    std::vector<int64_t> norm;
    for (auto a : axes) norm.push_back(sample_axis(a, rank, "axis"));
    std::sort(norm.begin(), norm.end());
    for (auto a : norm) {
      if (a > static_cast<int64_t>(s.size())) fail_node("axis out of range");
      s.insert(s.begin() + a, 1);
    }
  } else {
    std::vector<int64_t> norm;
    for (auto a : axes) norm.push_back(sample_axis(a, s.size(), "axis"));
    if (norm.empty())
      for (size_t d = 0; d < s.size(); ++d)
        if (s[d] == 1) norm.push_back(static_cast<int64_t>(d));
    std::sort(norm.rbegin(), norm.rend());
    for (auto a : norm) {
      if (s[static_cast<size_t>(a)] != 1) fail_node("squeezed axis has size " + std::to_string(s[static_cast<size_t>(a)]));
      s.erase(s.begin() + a);
    }
    if (s.empty()) s = {1};
  }
  Layer l;
  l.kind = LayerKind::kReshape;
  l.out_shape = s;
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::batchnorm(const onnx::NodeProto& n) {
  if (n.input_size() != 5) fail_node("needs five inputs");
  if (n.output_size() > 1) fail_node("training mode (mean/var outputs) is not supported");
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  const float eps = float_attr(n, "epsilon", 1e-5f);
  const auto &g = float_const(in(n, 1), n), &b = float_const(in(n, 2), n), &m = float_const(in(n, 3), n), &v = float_const(in(n, 4), n);
  const size_t c = static_cast<size_t>(s.at(0));
  if (g.size() != c || b.size() != c || m.size() != c || v.size() != c)
    fail_node("scale/B/mean/var must hold one value per channel (" + std::to_string(c) + ")");
  Layer l;
  l.kind = LayerKind::kScaleShift;
  l.out_shape = s;
  for (size_t i = 0; i < c; ++i) {
    const float sc = g[i] / std::sqrt(v[i] + eps);
    l.p.consts.push_back(sc);
    l.p.consts2.push_back(b[i] - m[i] * sc);
  }
  check_finite(l.p.consts, "folded scale");
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::concat(const onnx::NodeProto& n) {
  std::vector<int> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(tensor(in(n, i)));
  if (ins.empty()) fail_node("needs inputs");
  Shape s = shape_of(ins[0]);
  const int64_t axis = sample_axis(int_attr(n, "axis", 1), s.size(), "axis");
  for (size_t i = 1; i < ins.size(); ++i) {
    Shape o = shape_of(ins[i]);
    if (o.size() != s.size()) fail_node("inputs have different ranks");
    for (size_t d = 0; d < s.size(); ++d)
      if (static_cast<int64_t>(d) != axis && o[d] != s[d]) fail_node("inputs " + shape_str(s) + " and " + shape_str(o) + " differ off the axis");
    s[static_cast<size_t>(axis)] += o[static_cast<size_t>(axis)];
  }
  Layer l;
  l.kind = LayerKind::kConcat;
  l.p.axes = {axis};
  l.out_shape = s;
  add_layer(std::move(l), ins, out(n, 0));
}

void Importer::softmax(const onnx::NodeProto& n) {
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  const int64_t axis = sample_axis(int_attr(n, "axis", opset_ < 13 ? 1 : -1), s.size(), "axis");
  // Before opset 13 Softmax flattens from `axis`: the same only on the last axis.
  if (opset_ < 13 && axis + 1 != static_cast<int64_t>(s.size())) fail_node("opset < 13 Softmax over several axes is not supported");
  Layer l;
  l.kind = LayerKind::kSoftmax;
  l.p.axes = {axis};
  l.out_shape = s;
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::transpose(const onnx::NodeProto& n) {
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  const auto perm = ints_attr(n, "perm", {});
  if (perm.size() != s.size() + 1 || perm[0] != 0) fail_node("perm must keep the batch dimension first");
  Layer l;
  l.kind = LayerKind::kTranspose;
  std::vector<bool> seen(s.size(), false);
  for (size_t d = 1; d < perm.size(); ++d) {
    if (perm[d] < 1 || perm[d] > static_cast<int64_t>(s.size()) || seen[static_cast<size_t>(perm[d] - 1)]) fail_node("perm is not a permutation");
    seen[static_cast<size_t>(perm[d] - 1)] = true;
    l.p.axes.push_back(perm[d] - 1);
    l.out_shape.push_back(s[static_cast<size_t>(perm[d] - 1)]);
  }
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::reduce_mean(const onnx::NodeProto& n) {
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  std::vector<int64_t> axes = ints_attr(n, "axes", {});
  if (n.input_size() > 1 && !n.input(1).empty()) axes = constant(n.input(1), n).i;
  if (axes.empty()) fail_node("reducing over all axes (the batch too) is not supported");
  Layer l;
  l.kind = LayerKind::kReduceMean;
  for (auto a : axes) l.p.axes.push_back(sample_axis(a, s.size(), "axis"));
  std::sort(l.p.axes.begin(), l.p.axes.end());
  const bool keep = int_attr(n, "keepdims", 1) != 0;
  for (size_t d = 0; d < s.size(); ++d) {
    const bool red = std::find(l.p.axes.begin(), l.p.axes.end(), static_cast<int64_t>(d)) != l.p.axes.end();
    if (!red) l.out_shape.push_back(s[d]);
    else if (keep) l.out_shape.push_back(1);
  }
  if (l.out_shape.empty()) l.out_shape = {1};
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::layernorm(const onnx::NodeProto& n) {
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  if (n.output_size() > 1) fail_node("the mean/inv_std_dev outputs are not supported");
  Layer l;
  l.kind = LayerKind::kLayerNorm;
  l.p.axes = {sample_axis(int_attr(n, "axis", -1), s.size(), "axis")};
  l.p.alpha = float_attr(n, "epsilon", 1e-5f);
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(l.p.axes[0]); d < s.size(); ++d) inner *= s[d];
  l.p.consts = float_const(in(n, 1), n);
  if (n.input_size() > 2 && !n.input(2).empty()) l.p.consts2 = float_const(n.input(2), n);
  auto fits = [&](size_t c) { return c == 0 || (inner % static_cast<int64_t>(c) == 0 && c == static_cast<size_t>(s.back())) || c == static_cast<size_t>(inner) || c == 1; };
  if (!fits(l.p.consts.size()) || !fits(l.p.consts2.size())) fail_node("scale/B do not match the normalized dimensions");
  l.out_shape = s;
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::slice(const onnx::NodeProto& n) {
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  std::vector<int64_t> starts, ends, axes, steps;
  if (opset_ < 10) {
    starts = ints_attr(n, "starts", {});
    ends = ints_attr(n, "ends", {});
    axes = ints_attr(n, "axes", {});
  } else {
    auto get = [&](int i) { return n.input_size() > i && !n.input(i).empty() ? constant(n.input(i), n).i : std::vector<int64_t>{}; };
    starts = get(1);
    ends = get(2);
    axes = get(3);
    steps = get(4);
  }
  if (axes.empty()) for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() || steps.size() != starts.size() || starts.empty())
    fail_node("starts/ends/axes/steps must be constants of equal length");
  Layer l;
  l.kind = LayerKind::kSlice;
  l.out_shape = s;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = sample_axis(axes[i], s.size(), "axis"), dim = s[static_cast<size_t>(a)], st = steps[i];
    if (st == 0) fail_node("step 0");
    auto clampi = [&](int64_t v, int64_t lo, int64_t hi) { if (v < 0) v += dim; return std::max(lo, std::min(hi, v)); };
    const int64_t b = st > 0 ? clampi(starts[i], 0, dim) : clampi(starts[i], -1, dim - 1);
    const int64_t e = st > 0 ? clampi(ends[i], 0, dim) : clampi(ends[i], -1, dim - 1);
    const int64_t cnt = st > 0 ? (e > b ? (e - b + st - 1) / st : 0) : (b > e ? (b - e - st - 1) / -st : 0);
    if (cnt < 1) fail_node("slice is empty");
    l.p.axes.push_back(a);
    l.p.starts.push_back(b);
    l.p.ends.push_back(e);
    l.p.steps.push_back(st);
    l.out_shape[static_cast<size_t>(a)] = cnt;
  }
  add_layer(std::move(l), {x}, out(n, 0));
}

void Importer::split(const onnx::NodeProto& n) {
  const int x = tensor(in(n, 0));
  const Shape s = shape_of(x);
  const int64_t axis = sample_axis(int_attr(n, "axis", 0), s.size(), "axis"), dim = s[static_cast<size_t>(axis)];
  std::vector<int64_t> parts = ints_attr(n, "split", {});
  if (n.input_size() > 1 && !n.input(1).empty()) parts = constant(n.input(1), n).i;
  if (parts.empty()) {
    if (dim % n.output_size() != 0) fail_node("cannot split evenly");
    parts.assign(static_cast<size_t>(n.output_size()), dim / n.output_size());
  }
  if (static_cast<int>(parts.size()) != n.output_size()) fail_node("split sizes do not match the outputs");
  int64_t at = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] < 1) fail_node("split size below 1");
    Layer l;
    l.kind = LayerKind::kSlice;
    l.p.axes = {axis};
    l.p.starts = {at};
    l.p.ends = {at + parts[i]};
    l.p.steps = {1};
    l.out_shape = s;
    l.out_shape[static_cast<size_t>(axis)] = parts[i];
    at += parts[i];
    if (at > dim) fail_node("split sizes exceed the axis");
    add_layer(std::move(l), {x}, out(n, static_cast<int>(i)));
  }
}

// Shape arithmetic that PyTorch emits for x.view(x.size(0), -1) and friends.
// Returns true if the node was a shape computation on constants.
bool Importer::shape_op(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (op == "Shape") {
    if (is_constant(in(n, 0))) return false;
    ConstTensor c;
    c.is_int = true;
    c.i.push_back(kBatch);
    for (auto d : shape_of(tensor(in(n, 0)))) c.i.push_back(d);
    c.dims = {static_cast<int64_t>(c.i.size())};
    consts_[out(n, 0)] = c;
    return true;
  }
  for (const auto& i : n.input())
    if (!i.empty() && !is_constant(i)) return false;
  if (op == "Gather") {
    const ConstTensor& data = constant(in(n, 0), n);
    const ConstTensor& idx = constant(in(n, 1), n);
    if (!data.is_int || data.dims.size() != 1 || !idx.is_int || int_attr(n, "axis", 0) != 0)
      fail_node("only gathers from 1-D shape tensors are supported");
    ConstTensor c;
    c.is_int = true;
    c.dims = idx.dims;
    charge(static_cast<int64_t>(idx.i.size()), "node '" + node_ + "' output");
    for (auto v : idx.i) {
      if (v < -static_cast<int64_t>(data.i.size()) || v >= static_cast<int64_t>(data.i.size()))
        fail_node("index out of range");
      int64_t j = v < 0 ? v + static_cast<int64_t>(data.i.size()) : v;
      c.i.push_back(data.i[static_cast<size_t>(j)]);
    }
    consts_[out(n, 0)] = c;
    return true;
  }
  if (op == "Unsqueeze" || op == "Squeeze" || op == "Cast" || op == "Identity") {
    const ConstTensor& src = constant(in(n, 0), n);
    charge(static_cast<int64_t>(src.f.size() + src.i.size()), "node '" + node_ + "' output");
    ConstTensor c = src;
    if (op == "Unsqueeze" && c.dims.empty()) c.dims = {1};
    if (op == "Squeeze" && c.dims.size() == 1 && c.dims[0] == 1) c.dims = {};
    consts_[out(n, 0)] = c;
    return true;
  }
  if (op == "Concat") {
    ConstTensor c;
    c.is_int = true;
    for (const auto& i : n.input()) {
      const ConstTensor& p = constant(i, n);
      if (!p.is_int) fail_node("only integer shape tensors are supported");
      charge(static_cast<int64_t>(p.i.size()), "node '" + node_ + "' output");
      c.i.insert(c.i.end(), p.i.begin(), p.i.end());
    }
    c.dims = {static_cast<int64_t>(c.i.size())};
    consts_[out(n, 0)] = c;
    return true;
  }
  return fold_constant(n);
}

// Float arithmetic on constants only (e.g. sqrt(2/pi) of a GELU decomposition).
bool Importer::fold_constant(const onnx::NodeProto& n) {
  static const std::map<std::string, LayerKind> kinds = {
      {"Add", LayerKind::kAdd}, {"Sub", LayerKind::kSub}, {"Mul", LayerKind::kMul}, {"Div", LayerKind::kDiv},
      {"Pow", LayerKind::kPow}, {"Sqrt", LayerKind::kSqrt}};
  auto it = kinds.find(n.op_type());
  if (it == kinds.end() || n.input_size() < 1) return false;
  const ConstTensor& a = constant(in(n, 0), n);
  if (a.is_int) {
    // Integer shape arithmetic (torch.chunk's split points): same length or a scalar operand.
    if (n.input_size() != 2 || it->second == LayerKind::kPow || it->second == LayerKind::kSqrt) return false;
    const ConstTensor& b = constant(in(n, 1), n);
    if (!b.is_int || (b.i.size() != 1 && b.i.size() != a.i.size()) || a.i.empty()) return false;
    ConstTensor c = a;
    for (size_t k = 0; k < a.i.size(); ++k) {
      const int64_t x = a.i[k], y = b.i[b.i.size() == 1 ? 0 : k];
      if (x == kBatch || y == kBatch) fail_node("arithmetic on the batch size is not supported");
      if (it->second == LayerKind::kDiv && y == 0) fail_node("integer division by zero");
      auto r = it->second == LayerKind::kAdd ? checked_add(x, y)
             : it->second == LayerKind::kSub ? checked_add(x, -y)
             : it->second == LayerKind::kMul ? checked_mul(x, y) : std::optional<int64_t>(x / y);
      if (!r) fail_node("integer overflow");
      c.i[k] = *r;
    }
    consts_[out(n, 0)] = c;
    return true;
  }
  ConstTensor c;
  c.dims = a.dims;
  OpParams p;
  std::vector<Shape> shapes = {a.dims};
  if (n.input_size() == 2) {
    const ConstTensor& b = constant(in(n, 1), n);
    if (b.is_int) return false;
    bool ok = false;
    c.dims = broadcast_shapes(a.dims, b.dims, ok);
    if (!ok || c.dims != a.dims) return false;
    p.consts = b.f;
    p.const_shape = b.dims;
  }
  c.f.resize(a.f.size());
  run_host_op(it->second, Window2d{}, p, {a.f.data()}, shapes, c.dims, 1, c.f.data());
  consts_[out(n, 0)] = c;
  return true;
}

void Importer::fold_into_producers() {
  const auto consumers = g_.consumer_counts();
  std::vector<size_t> gone;
  for (size_t i = 0; i < g_.layers.size(); ++i) {
    Layer& l = g_.layers[i];
    const bool bias = l.kind == LayerKind::kAdd && l.inputs.size() == 1;
    if (!bias && l.kind != LayerKind::kScaleShift) continue;
    const int src = l.inputs[0];
    if (src == kGraphInput || consumers[static_cast<size_t>(src + 1)] != 1) continue;
    Layer& prod = g_.layers[static_cast<size_t>(src)];
    if (!prod.is_gemm_like()) continue;
    const bool conv = prod.kind == LayerKind::kConv;
    if (bias) {
      // Per-output-channel: N values along the last axis (Gemm) or [N,1,1] (Conv), or a scalar.
      const Shape& cs = l.p.const_shape;
      const size_t cn = l.p.consts.size();
      bool per_channel = cn == static_cast<size_t>(prod.n) && !cs.empty() &&
                         (conv ? (cs.size() == 3 && cs[0] == prod.n) : cs.back() == prod.n);
      if (cn != 1 && !per_channel) continue;
      for (int64_t j = 0; j < prod.n; ++j) prod.bias[static_cast<size_t>(j)] += l.p.consts[cn == 1 ? 0 : static_cast<size_t>(j)];
    } else {
      // BatchNorm over the channel axis: only a Conv's channels, or a Gemm's [N] output.
      if (!conv && prod.out_shape.size() != 1) continue;
      for (int64_t kk = 0; kk < prod.k; ++kk)
        for (int64_t j = 0; j < prod.n; ++j) prod.weight[static_cast<size_t>(kk * prod.n + j)] *= l.p.consts[static_cast<size_t>(j)];
      for (int64_t j = 0; j < prod.n; ++j)
        prod.bias[static_cast<size_t>(j)] = prod.bias[static_cast<size_t>(j)] * l.p.consts[static_cast<size_t>(j)] + l.p.consts2[static_cast<size_t>(j)];
    }
    gone.push_back(i);
  }
  for (auto it = gone.rbegin(); it != gone.rend(); ++it) bypass_layer(g_.layers, *it);
}

Graph Importer::run(const onnx::ModelProto& model) {
  const auto& graph = model.graph();
  if (graph.node_size() == 0) fail("not a valid ONNX model (graph has no nodes)");
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = static_cast<int>(o.version());
  g_.source = path_;
  for (const auto& t : graph.initializer()) consts_[t.name()] = to_const(t);
  // The one real input: a graph input that is not an initializer.
  for (const auto& vi : graph.input()) {
    if (consts_.count(vi.name())) continue;
    if (!g_.input_name.empty()) fail("model has more than one input; keymac runs single-input networks");
    if (vi.name().empty()) fail("model input has no name");
    g_.input_name = vi.name();
    const auto& tt = vi.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT) fail("input '" + vi.name() + "' is not float");
    Shape s;
    for (int d = 1; d < tt.shape().dim_size(); ++d) {
      const auto& dim = tt.shape().dim(d);
      if (!dim.has_dim_value() || dim.dim_value() < 1)
        fail("input '" + vi.name() + "' has a symbolic non-batch dimension");
      s.push_back(dim.dim_value());
    }
    if (tt.shape().dim_size() < 2) fail("input '" + vi.name() + "' must be [N, ...] with a batch dimension");
    g_.input_shape = s;
    if (!checked_numel(s, kMaxTensorElements))
      fail("input '" + vi.name() + "' has per-sample shape " + shape_str(s) + " with more than " +
           std::to_string(kMaxTensorElements) + " elements");
    tensors_[vi.name()] = kGraphInput;
  }
  if (g_.input_name.empty()) fail("model has no input");

  for (int idx = 0; idx < graph.node_size(); ++idx) {
    const auto& n = graph.node(idx);
    const std::string name = node_name(n, static_cast<size_t>(idx));
    const std::string& op = n.op_type();
    node_ = name;
    op_ = op;
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail("unsupported operator '" + n.domain() + "." + op + "' (node '" + name + "')");
    if (op == "Constant") {
      auto* a = attr(n, "value");
      if (!a || !a->has_t()) fail_node("only tensor values are supported");
      consts_[out(n, 0)] = to_const(a->t());
    } else if (shape_op(n)) {
      // evaluated at import time
    } else if (op == "Pad") {
      // PyTorch emits an all-zero Pad before AvgPool(count_include_pad=True): an identity.
      const int x = tensor(in(n, 0));
      std::vector<int64_t> pads = ints_attr(n, "pads", {});
      if (n.input_size() > 1 && !n.input(1).empty()) pads = constant(n.input(1), n).i;
      for (auto v : pads)
        if (v != 0) fail("unsupported operator 'Pad' with nonzero padding (node '" + name + "')");
      tensors_[out(n, 0)] = x;
    } else if (op == "Identity" || op == "Dropout" || (op == "Cast" && int_attr(n, "to", 1) == onnx::TensorProto::FLOAT)) {
      tensors_[out(n, 0)] = tensor(in(n, 0));
    } else if (op == "Gemm") gemm(n);
    else if (op == "MatMul") matmul(n);
    else if (op == "Add") elementwise(n, LayerKind::kAdd);
    else if (op == "Sub") elementwise(n, LayerKind::kSub);
    else if (op == "Mul") elementwise(n, LayerKind::kMul);
    else if (op == "Div") elementwise(n, LayerKind::kDiv);
    else if (op == "Pow") elementwise(n, LayerKind::kPow);
    else if (op == "PRelu") elementwise(n, LayerKind::kPRelu);
    else if (op == "Conv") conv(n, false);
    else if (op == "ConvTranspose") conv(n, true);
    else if (op == "Relu") unary(n, LayerKind::kRelu);
    else if (op == "Sigmoid") unary(n, LayerKind::kSigmoid);
    else if (op == "Tanh") unary(n, LayerKind::kTanh);
    else if (op == "LeakyRelu") unary(n, LayerKind::kLeakyRelu);
    else if (op == "HardSwish") unary(n, LayerKind::kHardSwish);
    else if (op == "HardSigmoid") unary(n, LayerKind::kHardSigmoid);
    else if (op == "Clip") unary(n, LayerKind::kClip);
    else if (op == "Sqrt") unary(n, LayerKind::kSqrt);
    else if (op == "Erf") unary(n, LayerKind::kErf);
    else if (op == "Exp") unary(n, LayerKind::kExp);
    else if (op == "Abs") unary(n, LayerKind::kAbs);
    else if (op == "Neg") unary(n, LayerKind::kNeg);
    else if (op == "Floor") unary(n, LayerKind::kFloor);
    else if (op == "Ceil") unary(n, LayerKind::kCeil);
    else if (op == "Round") unary(n, LayerKind::kRound);
    else if (op == "Log") unary(n, LayerKind::kLog);
    else if (op == "Reciprocal") unary(n, LayerKind::kReciprocal);
    else if (op == "Sign") unary(n, LayerKind::kSign);
    else if (op == "Softplus") unary(n, LayerKind::kSoftplus);
    else if (op == "Softsign") unary(n, LayerKind::kSoftsign);
    else if (op == "Elu") unary(n, LayerKind::kElu);
    else if (op == "Selu") unary(n, LayerKind::kSelu);
    else if (op == "Celu") unary(n, LayerKind::kCelu);
    else if (op == "ThresholdedRelu") unary(n, LayerKind::kThresholdedRelu);
    else if (op == "Shrink") unary(n, LayerKind::kShrink);
    else if (op == "Sin") unary(n, LayerKind::kSin);
    else if (op == "Cos") unary(n, LayerKind::kCos);
    else if (op == "Tan") unary(n, LayerKind::kTan);
    else if (op == "Asin") unary(n, LayerKind::kAsin);
    else if (op == "Acos") unary(n, LayerKind::kAcos);
    else if (op == "Atan") unary(n, LayerKind::kAtan);
    else if (op == "Sinh") unary(n, LayerKind::kSinh);
    else if (op == "Cosh") unary(n, LayerKind::kCosh);
    else if (op == "Asinh") unary(n, LayerKind::kAsinh);
    else if (op == "Acosh") unary(n, LayerKind::kAcosh);
    else if (op == "Atanh") unary(n, LayerKind::kAtanh);
    else if (op == "BatchNormalization") batchnorm(n);
    else if (op == "Concat") concat(n);
    else if (op == "Softmax") softmax(n);
    else if (op == "Transpose") transpose(n);
    else if (op == "ReduceMean") reduce_mean(n);
    else if (op == "LayerNormalization") layernorm(n);
    else if (op == "Slice") slice(n);
    else if (op == "Split") split(n);
    else if (op == "MaxPool") pool(n, LayerKind::kMaxPool, false);
    else if (op == "AveragePool") pool(n, LayerKind::kAvgPool, false);
    else if (op == "GlobalAveragePool") pool(n, LayerKind::kAvgPool, true);
    else if (op == "GlobalMaxPool") pool(n, LayerKind::kMaxPool, true);
    else if (op == "Flatten") reshape(n, true);
    else if (op == "Reshape") reshape(n, false);
    else if (op == "Squeeze") squeeze(n, false);
    else if (op == "Unsqueeze") squeeze(n, true);
    else fail("unsupported operator '" + op + "' (node '" + name + "')");
  }
  if (graph.output_size() != 1) fail("model has " + std::to_string(graph.output_size()) + " outputs; keymac needs one");
  const std::string& oname = graph.output(0).name();
  auto it = tensors_.find(oname);
  if (it == tensors_.end() || it->second == kGraphInput)
    fail("graph output '" + oname + "' is not computed from the input by any layer");
  if (it->second + 1 != static_cast<int>(g_.layers.size()))
    fail("graph output '" + oname + "' is not produced by the last node (layers after it would be dead)");
  fold_into_producers();
  return g_;
}

onnx::ModelProto parse_model(const std::string& bytes, const std::string& path) {
  if (static_cast<int64_t>(bytes.size()) > kMaxOnnxFileBytes)
    throw Error(path + ": ONNX file of " + std::to_string(bytes.size()) + " bytes is over the " +
                std::to_string(kMaxOnnxFileBytes) + "-byte cap");
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) throw Error(path + ": not a valid ONNX model (protobuf parse failed)");
  return model;
}

}  // namespace

Graph import_onnx_bytes(const std::string& bytes, const std::string& path) {
  const onnx::ModelProto model = parse_model(bytes, path);
  return Importer(path).run(model);
}

Graph import_onnx(const std::string& path) {
  // Size cap before reading: a device or a huge file is refused, not slurped.
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(path + ": not a regular file");
  if (st.st_size > kMaxOnnxFileBytes)
    throw Error(path + ": ONNX file of " + std::to_string(st.st_size) + " bytes is over the " +
                std::to_string(kMaxOnnxFileBytes) + "-byte cap");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  if (!f.read(bytes.data(), st.st_size) && !bytes.empty()) throw Error(path + ": read error");
  return import_onnx_bytes(bytes, path);
}

}  // namespace keymac
