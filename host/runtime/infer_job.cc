#include "host/runtime/infer_job.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "base/error.h"
#include "host/backend/array_backend.h"
#include "host/lock/key_file.h"
#include "host/lock/package.h"
#include "host/model/float_executor.h"
#include "host/model/onnx_import.h"
#include "host/quant/quantize.h"
#include "host/runtime/int8_runner.h"
#include "host/tensor/tensor_file.h"
#include "host/tensor/tensor_pb.h"
#include "sim/core/capped_read.h"

namespace keymac {

namespace {

std::vector<std::string> real_inputs(const onnx::GraphProto& g) {
  std::vector<std::string> names;
  for (const auto& vi : g.input()) {
    bool init = false;
    for (const auto& t : g.initializer()) init |= t.name() == vi.name();
    if (!init) names.push_back(vi.name());
  }
  return names;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "'" : ", '") + x + "'";
  return s;
}

// Input 0 as floats, after checking it is [N, per-sample shape].
std::vector<float> batch_floats(const Tensor& t, const Shape& per_sample, const std::string& path, int64_t& batch) {
  Shape got(t.dims.begin() + (t.dims.empty() ? 0 : 1), t.dims.end());
  if (t.dims.empty() || got != per_sample)
    throw Error(path + ": input tensor has shape " + dims_str(t.dims) + "; the model takes [N" +
                (per_sample.empty() ? "" : ",") + shape_str(per_sample).substr(1));
  batch = t.dims[0];
  if (batch < 1) throw Error(path + ": input tensor holds no samples (N = 0)");
  std::vector<float> f(t.data.size());
  for (size_t i = 0; i < f.size(); ++i) {
    f[i] = static_cast<float>(t.data[i]);
    if (!std::isfinite(f[i])) throw Error(path + ": input tensor holds a NaN or infinite value at element " + std::to_string(i));
  }
  return f;
}

// Int8 inputs go through Int8Runner's pixel table: code p = q + 128 maps to
// q exactly when preprocess(p) = (p/255 - 128/255) * 255 * input_scale.
QuantModel with_identity_codes(const QuantModel& m) {
  QuantModel c = m;
  c.preprocess.mean = 128.0f / 255.0f;
  c.preprocess.std = 1.0f / (255.0f * m.input_scale);
  return c;
}

std::vector<uint8_t> input_codes(const std::vector<float>& x, float input_scale) {
  std::vector<uint8_t> codes(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const long q = std::clamp<long>(std::lround(x[i] / input_scale), -128, 127);
    codes[i] = static_cast<uint8_t>(q + 128);
  }
  return codes;
}

}  // namespace

Graph import_onnx_binding(const std::string& path, const std::vector<Tensor>& bound,
                          const std::vector<std::string>& bound_paths, std::string* output_name) {
  const std::string bytes = read_file_capped(path, "ONNX file", static_cast<uint64_t>(kMaxOnnxFileBytes));
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) throw Error(path + ": not a valid ONNX model (protobuf parse failed)");
  auto* g = model.mutable_graph();
  const auto names = real_inputs(*g);
  if (names.size() != bound.size() + 1)
    throw Error(path + ": model has " + std::to_string(names.size()) + " input(s) (" + join(names) + ") but " +
                std::to_string(bound.size() + 1) + " --input file(s) were given");
  for (size_t i = 0; i < bound.size(); ++i) {
    onnx::TensorProto t;
    if (!t.ParseFromString(tensor_pb_bytes(bound[i], names[i + 1], true)))
      throw Error(bound_paths[i] + ": cannot bind as a constant");
    *g->add_initializer() = t;
  }
  if (output_name && g->output_size() > 0) *output_name = g->output(0).name();
  return import_onnx_bytes(model.SerializeAsString(), path);
}

void check_onnx_inputs(const std::string& path) {
  const std::string bytes = read_file_capped(path, "ONNX file", static_cast<uint64_t>(kMaxOnnxFileBytes));
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) throw Error(path + ": not a valid ONNX model (protobuf parse failed)");
  for (const auto& vi : model.graph().input())
    if (!vi.type().has_tensor_type())
      throw Error(path + ": input '" + vi.name() + "' is a sequence, map or optional; keymac takes tensors only");
}

InferResult run_infer(const InferConfig& cfg) {
  if (cfg.inputs.empty()) throw UsageError("--input: at least one input tensor file is needed");
  const bool pkg = is_package_file(cfg.model);
  if (!pkg) check_onnx_inputs(cfg.model);  // a model keymac cannot take is named before its inputs
  std::vector<Tensor> in;
  for (const auto& p : cfg.inputs) in.push_back(read_tensor_file(p));
  InferResult r;
  std::string out_name = "output";
  if (!cfg.int8) {
    if (pkg) throw UsageError("--model: " + cfg.model + " is a locked package (int8 only); add --int8 and --key");
    if (!cfg.key_path.empty()) throw UsageError("--key: float mode runs the unlocked ONNX model on the host; --key needs --int8");
    if (cfg.backend != "functional") throw UsageError("--backend: float mode runs on the host; --backend needs --int8");
    if (cfg.array) throw UsageError("--array: float mode runs on the host; --array needs --int8");
    const Graph g = import_onnx_binding(cfg.model, {in.begin() + 1, in.end()}, {cfg.inputs.begin() + 1, cfg.inputs.end()},
                                        &out_name);
    int64_t batch = 0;
    const auto x = batch_floats(in[0], g.input_shape, cfg.inputs[0], batch);
    const auto y = run_float(g, x.data(), batch);
    Tensor t;
    t.dims = {batch};
    const Shape& os = g.layers.empty() ? g.input_shape : g.layers.back().out_shape;
    t.dims.insert(t.dims.end(), os.begin(), os.end());
    t.data.assign(y.begin(), y.end());
    r.outputs.push_back(std::move(t));
    r.names.push_back(out_name);
    r.mode = "float (host)";
    return r;
  }
  // int8 on the array.
  QuantModel model;
  std::unique_ptr<KeySource> src;
  Geometry geom = cfg.array.value_or(Geometry::make(16, 16));
  int64_t batch = 0;
  std::vector<float> x;
  if (pkg) {
    if (in.size() != 1) throw UsageError("--input: a locked package has one input; " + std::to_string(in.size()) + " were given");
    if (cfg.key_path.empty()) throw Error(cfg.model + ": running a locked package needs --key FILE (the key it was locked with)");
    model = read_package(cfg.model);
    if (cfg.array && *cfg.array != model.lock_geometry)
      throw Error(cfg.model + ": package is locked for a " + model.lock_geometry.str() + " array and cannot run on " + cfg.array->str());
    geom = model.lock_geometry;
    src = key_source_for(model, cfg.key_path);
    x = batch_floats(in[0], model.input_shape, cfg.inputs[0], batch);
  } else {
    const Graph g = import_onnx_binding(cfg.model, {in.begin() + 1, in.end()}, {cfg.inputs.begin() + 1, cfg.inputs.end()},
                                        &out_name);
    x = batch_floats(in[0], g.input_shape, cfg.inputs[0], batch);
    model = quantize(g, x, batch, Preprocess{});
    if (!cfg.key_path.empty()) {
      src = make_key_source(read_key_file(cfg.key_path), geom, fresh_nonce());
      model = lock_model(model, *src);
    }
  }
  auto backend = make_backend(cfg.backend, geom, BackendOptions{});
  require_key_mode_supported(*backend, src.get());
  backend->reset(src.get());
  const QuantModel coded = with_identity_codes(model);
  const auto codes = input_codes(x, model.input_scale);
  Int8Runner runner(coded, *backend);
  const auto y = runner.run(codes.data(), batch);
  backend->finish();
  Tensor t;
  t.dims = {batch};
  const Shape& os = model.layers.empty() ? model.input_shape : model.layers.back().out_shape;
  t.dims.insert(t.dims.end(), os.begin(), os.end());
  t.data.assign(y.begin(), y.end());
  r.outputs.push_back(std::move(t));
  r.names.push_back(out_name);
  r.mode = "int8 on the " + cfg.backend + " " + geom.str() + " array, " + (src ? "keyed" : "plain (no key; unlocked weights)");
  return r;
}

}  // namespace keymac
