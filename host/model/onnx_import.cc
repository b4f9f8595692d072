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
  void expect_current(const onnx::NodeProto& n, const std::string& input) const;

  void gemm(const onnx::NodeProto& n, const std::string& name);
  void matmul(const onnx::NodeProto& n, const std::string& name);
  void add(const onnx::NodeProto& n, const std::string& name);
  void conv(const onnx::NodeProto& n, const std::string& name);
  void pool(const onnx::NodeProto& n, const std::string& name, LayerKind kind, bool global);
  void reshape(const onnx::NodeProto& n, const std::string& name, bool flatten);
  bool shape_op(const onnx::NodeProto& n);
  Window2d window(const onnx::NodeProto& n) const;

  Shape cur_shape() const { return g_.layers.empty() ? g_.input_shape : g_.layers.back().out_shape; }

  std::string path_;
  Graph g_;
  std::string current_;  // name of the tensor that holds the chain's activations
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
    fail_node("input '" + name + "' must be a constant (initializer); keymac runs a single chain of layers");
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

void Importer::expect_current(const onnx::NodeProto&, const std::string& input) const {
  if (input != current_)
    fail_node("does not continue the chain of layers (input '" + input + "', expected '" + current_ +
              "'); keymac runs single-chain networks");
}

Window2d Importer::window(const onnx::NodeProto& n) const {
  Window2d w;
  auto ks = ints_attr(n, "kernel_shape", {});
  auto st = ints_attr(n, "strides", {1, 1});
  auto pads = ints_attr(n, "pads", {0, 0, 0, 0});
  auto dil = ints_attr(n, "dilations", {1, 1});
  auto ap = attr(n, "auto_pad");
  if (ap && !ap->s().empty() && ap->s() != "NOTSET" && ap->s() != "VALID")
    fail_node("auto_pad=" + ap->s() + " is not supported");
  if (int_attr(n, "ceil_mode", 0) != 0) fail_node("ceil_mode=1 is not supported");
  if (ks.size() != 2 && !ks.empty()) fail_node("only 2-D windows are supported");
  if (st.size() != 2 || pads.size() != 4 || dil.size() != 2) fail_node("only 2-D strides/pads are supported");
  if (dil[0] != 1 || dil[1] != 1) fail_node("dilation other than 1 is not supported");
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
  if (!ks.empty()) { w.kh = static_cast<int>(ks[0]); w.kw = static_cast<int>(ks[1]); }
  w.sh = static_cast<int>(st[0]);
  w.sw = static_cast<int>(st[1]);
  w.pt = static_cast<int>(pads[0]);
  w.pl = static_cast<int>(pads[1]);
  w.pb = static_cast<int>(pads[2]);
  w.pr = static_cast<int>(pads[3]);
  return w;
}

void Importer::gemm(const onnx::NodeProto& n, const std::string&) {
  if (n.input_size() < 2) fail_node("needs two inputs");
  expect_current(n, in(n, 0));
  if (int_attr(n, "transA", 0) != 0) fail_node("transA=1 is not supported");
  const bool tb = int_attr(n, "transB", 0) != 0;
  const float alpha = float_attr(n, "alpha", 1.0f), beta = float_attr(n, "beta", 1.0f);
  const ConstTensor& b = constant(in(n, 1), n);
  if (b.dims.size() != 2 || b.is_int) fail_node("weight must be a 2-D float tensor");
  Shape in_s = cur_shape();
  if (in_s.size() != 1) fail_node("input of per-sample shape " + shape_str(in_s) + " is not a vector (flatten it first)");
  Layer l;
  l.kind = LayerKind::kGemm;
  l.name = node_;
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
  l.in_shape = in_s;
  l.out_shape = {l.n};
  g_.layers.push_back(std::move(l));
  current_ = out(n, 0);
}

void Importer::matmul(const onnx::NodeProto& n, const std::string&) {
  if (n.input_size() != 2) fail_node("needs two inputs");
  expect_current(n, in(n, 0));
  const ConstTensor& b = constant(in(n, 1), n);
  if (b.dims.size() != 2 || b.is_int) fail_node("weight must be a 2-D float tensor");
  Shape in_s = cur_shape();
  if (in_s.size() != 1 || in_s[0] != b.dims[0])
    fail_node("input " + shape_str(in_s) + " does not match weight [" + std::to_string(b.dims[0]) + "," +
              std::to_string(b.dims[1]) + "]");
  if (b.dims[1] < 1) fail_node("weight has N=0 outputs");
  Layer l;
  l.kind = LayerKind::kGemm;
  l.name = node_;
  l.k = b.dims[0];
  l.n = b.dims[1];
  charge(l.k * l.n, "node '" + node_ + "' weight");
  l.weight = b.f;
  check_finite(l.weight, "weight '" + n.input(1) + "'");
  l.bias.assign(static_cast<size_t>(l.n), 0.0f);
  l.in_shape = in_s;
  l.out_shape = {l.n};
  g_.layers.push_back(std::move(l));
  current_ = out(n, 0);
}

void Importer::add(const onnx::NodeProto& n, const std::string&) {
  if (n.input_size() != 2) fail_node("needs two inputs");
  std::string other = n.input(0) == current_ ? n.input(1) : n.input(0);
  if (n.input(0) != current_ && n.input(1) != current_) expect_current(n, n.input(0));
  if (g_.layers.empty() || !g_.layers.back().is_gemm_like())
    fail_node("only a bias add directly after MatMul/Gemm/Conv is supported");
  const ConstTensor& c = constant(other, n);
  Layer& l = g_.layers.back();
  if (c.is_int) fail_node("bias must be float");
  // Per-output-channel bias: N values (Gemm) or [Cout,1,1] (Conv), or a scalar.
  if (c.f.size() == static_cast<size_t>(l.n)) for (int64_t j = 0; j < l.n; ++j) l.bias[static_cast<size_t>(j)] += c.f[static_cast<size_t>(j)];
  else if (c.f.size() == 1) for (auto& v : l.bias) v += c.f[0];
  else fail_node("addend of " + std::to_string(c.f.size()) + " values is not a per-channel bias");
  check_finite(l.bias, "bias '" + other + "'");
  current_ = out(n, 0);
}

void Importer::conv(const onnx::NodeProto& n, const std::string&) {
  if (n.input_size() < 2) fail_node("needs at least two inputs");
  expect_current(n, in(n, 0));
  if (int_attr(n, "group", 1) != 1) fail_node("grouped convolution is not supported");
  const ConstTensor& w = constant(in(n, 1), n);
  if (w.dims.size() != 4 || w.is_int) fail_node("only 2-D convolutions with a float weight are supported");
  Shape in_s = cur_shape();
  if (in_s.size() != 3) fail_node("input of per-sample shape " + shape_str(in_s) + " is not CxHxW");
  const int64_t cout = w.dims[0], cin = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  if (cin != in_s[0]) fail_node("weight expects " + std::to_string(cin) + " input channels, input has " + std::to_string(in_s[0]));
  if (cout < 1 || kh < 1 || kw < 1 || kh > kMaxWindow || kw > kMaxWindow)
    fail_node("weight shape " + shape_str(w.dims) + " is not [Cout>=1, Cin, kh, kw] with kernel 1.." + std::to_string(kMaxWindow));
  Layer l;
  l.kind = LayerKind::kConv;
  l.name = node_;
  l.win = window(n);
  const auto ks = ints_attr(n, "kernel_shape", {});
  if (!ks.empty() && (ks[0] != kh || ks[1] != kw))
    fail_node("kernel_shape [" + std::to_string(ks[0]) + "," + std::to_string(ks[1]) + "] does not match the weight's " +
              std::to_string(kh) + "x" + std::to_string(kw) + " kernel");
  l.win.kh = static_cast<int>(kh);
  l.win.kw = static_cast<int>(kw);
  if (!in_int_range(in_s[1]) || !in_int_range(in_s[2])) fail_node("input " + shape_str(in_s) + " is too large");
  const int oh = l.win.out_h(static_cast<int>(in_s[1])), ow = l.win.out_w(static_cast<int>(in_s[2]));
  if (oh < 1 || ow < 1) fail_node("kernel larger than its padded input");
  l.k = cin * kh * kw;  // == numel(w) / cout, already bounded
  l.n = cout;
  charge(l.k * l.n, "node '" + node_ + "' weight");
  l.weight.resize(static_cast<size_t>(l.k * l.n));
  // ONNX weight [Cout][Cin][kh][kw] -> W[k][n] with k = (cin*kh + y)*kw + x.
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t kk = 0; kk < l.k; ++kk)
      l.weight[static_cast<size_t>(kk * l.n + o)] = w.f[static_cast<size_t>(o * l.k + kk)];
  check_finite(l.weight, "weight '" + n.input(1) + "'");
  l.bias.assign(static_cast<size_t>(l.n), 0.0f);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const ConstTensor& b = constant(n.input(2), n);
    if (b.is_int || b.f.size() != static_cast<size_t>(cout)) fail_node("bias has the wrong length");
    l.bias = b.f;
    check_finite(l.bias, "bias '" + n.input(2) + "'");
  }
  l.in_shape = in_s;
  l.out_shape = {cout, oh, ow};
  check_shape(l.out_shape, "output");
  g_.layers.push_back(std::move(l));
  current_ = out(n, 0);
}

void Importer::pool(const onnx::NodeProto& n, const std::string&, LayerKind kind, bool global) {
  expect_current(n, in(n, 0));
  Shape in_s = cur_shape();
  if (in_s.size() != 3) fail_node("input of per-sample shape " + shape_str(in_s) + " is not CxHxW");
  if (!in_int_range(in_s[1]) || !in_int_range(in_s[2])) fail_node("input " + shape_str(in_s) + " is too large");
  Layer l;
  l.kind = kind;
  l.name = node_;
  if (global) {
    l.win.kh = static_cast<int>(in_s[1]);
    l.win.kw = static_cast<int>(in_s[2]);
  } else {
    l.win = window(n);
    if (!attr(n, "kernel_shape")) fail_node("kernel_shape is missing");
    if (kind == LayerKind::kMaxPool && n.output_size() > 1 && !n.output(1).empty())
      fail_node("the indices output is not supported");
    if (kind == LayerKind::kAvgPool && int_attr(n, "count_include_pad", 0) != 0 &&
        (l.win.pt || l.win.pl || l.win.pb || l.win.pr))
      fail_node("count_include_pad=1 with padding is not supported");
  }
  const int oh = l.win.out_h(static_cast<int>(in_s[1])), ow = l.win.out_w(static_cast<int>(in_s[2]));
  if (oh < 1 || ow < 1) fail_node("window larger than its input");
  if (l.win.pt >= l.win.kh || l.win.pb >= l.win.kh || l.win.pl >= l.win.kw || l.win.pr >= l.win.kw)
    fail_node("padding must be smaller than the window");
  l.in_shape = in_s;
  l.out_shape = {in_s[0], oh, ow};
  check_shape(l.out_shape, "output");
  g_.layers.push_back(std::move(l));
  current_ = out(n, 0);
}

void Importer::reshape(const onnx::NodeProto& n, const std::string&, bool flatten) {
  expect_current(n, in(n, 0));
  Shape in_s = cur_shape();
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
  l.name = node_;
  l.in_shape = in_s;
  l.out_shape = out_s;
  g_.layers.push_back(std::move(l));
  current_ = out(n, 0);
}

// Shape arithmetic that PyTorch emits for x.view(x.size(0), -1) and friends.
// Returns true if the node was a shape computation on constants.
bool Importer::shape_op(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (op == "Shape") {
    if (in(n, 0) != current_) return false;
    ConstTensor c;
    c.is_int = true;
    c.i.push_back(kBatch);
    for (auto d : cur_shape()) c.i.push_back(d);
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
  return false;
}

Graph Importer::run(const onnx::ModelProto& model) {
  const auto& graph = model.graph();
  if (graph.node_size() == 0) fail("not a valid ONNX model (graph has no nodes)");
  g_.source = path_;
  for (const auto& t : graph.initializer()) consts_[t.name()] = to_const(t);
  // The one real input: a graph input that is not an initializer.
  for (const auto& vi : graph.input()) {
    if (consts_.count(vi.name())) continue;
    if (!current_.empty()) fail("model has more than one input; keymac runs single-input networks");
    if (vi.name().empty()) fail("model input has no name");
    current_ = vi.name();
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
  }
  if (current_.empty()) fail("model has no input");
  if (numel(g_.input_shape) != 784)
    fail("input '" + g_.input_name + "' has per-sample shape " + shape_str(g_.input_shape) +
         "; keymac feeds 28x28 images ([N,784] or [N,1,28,28])");

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
      expect_current(n, in(n, 0));
      std::vector<int64_t> pads = ints_attr(n, "pads", {});
      if (n.input_size() > 1 && !n.input(1).empty()) pads = constant(n.input(1), n).i;
      for (auto v : pads)
        if (v != 0) fail("unsupported operator 'Pad' with nonzero padding (node '" + name + "')");
      current_ = out(n, 0);
    } else if (op == "Identity" || op == "Dropout") {
      expect_current(n, in(n, 0));
      current_ = out(n, 0);
    } else if (op == "Gemm") gemm(n, name);
    else if (op == "MatMul") matmul(n, name);
    else if (op == "Add") add(n, name);
    else if (op == "Conv") conv(n, name);
    else if (op == "Relu") {
      expect_current(n, in(n, 0));
      Layer l;
      l.kind = LayerKind::kRelu;
      l.name = name;
      l.in_shape = l.out_shape = cur_shape();
      g_.layers.push_back(std::move(l));
      current_ = out(n, 0);
    } else if (op == "MaxPool") pool(n, name, LayerKind::kMaxPool, false);
    else if (op == "AveragePool") pool(n, name, LayerKind::kAvgPool, false);
    else if (op == "GlobalAveragePool") pool(n, name, LayerKind::kAvgPool, true);
    else if (op == "Flatten") reshape(n, name, true);
    else if (op == "Reshape") reshape(n, name, false);
    else fail("unsupported operator '" + op + "' (node '" + name + "')");
  }
  if (graph.output_size() != 1) fail("model has " + std::to_string(graph.output_size()) + " outputs; keymac needs one");
  if (graph.output(0).name() != current_)
    fail("graph output '" + graph.output(0).name() + "' is not the end of the layer chain");
  bool any = false;
  for (const auto& l : g_.layers) any |= l.is_gemm_like();
  if (!any) fail("model has no Gemm, MatMul or Conv layer to map onto the array");
  if (g_.layers.back().out_shape.size() != 1 && numel(g_.layers.back().out_shape) < 2)
    fail("model output is not a vector of class scores");
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
