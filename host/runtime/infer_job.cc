#include "host/runtime/infer_job.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <tuple>

#include "base/error.h"
#include "host/backend/array_backend.h"
#include "host/data/dataset.h"
#include "host/runtime/evaluator.h"
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

onnx::ModelProto read_model_proto(const std::string& path) {
  const std::string bytes = read_file_capped(path, "ONNX file", static_cast<uint64_t>(kMaxOnnxFileBytes));
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) throw Error(path + ": not a valid ONNX model (protobuf parse failed)");
  return model;
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

// Runs `batch` float samples through the int8 model on a fresh backend.
std::vector<float> run_int8(const QuantModel& model, const KeySource* src, const std::string& backend_name, Geometry geom,
                            const std::vector<float>& x, int64_t batch) {
  auto backend = make_backend(backend_name, geom, BackendOptions{});
  require_key_mode_supported(*backend, src);
  backend->reset(src);
  Int8Runner runner(model, *backend, src);
  std::vector<float> y;
  const int64_t chunk = 256, per = numel(model.input_shape);
  for (int64_t s = 0; s < batch; s += chunk) {
    const int64_t b = std::min(chunk, batch - s);
    const auto part = runner.run_input(x.data() + s * per, b);
    y.insert(y.end(), part.begin(), part.end());
  }
  backend->finish();
  return y;
}

}  // namespace

Graph import_onnx_binding(const std::string& path, const std::vector<Tensor>& bound,
                          const std::vector<std::string>& bound_paths, std::string* output_name) {
  onnx::ModelProto model = read_model_proto(path);
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

static void check_onnx_inputs(const std::string& path) {
  const onnx::ModelProto model = read_model_proto(path);
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
    Shape in_shape = {batch};
    in_shape.insert(in_shape.end(), g.input_shape.begin(), g.input_shape.end());
    const auto y = run_float(g, x, in_shape);
    Tensor t;
    t.dims = {batch};
    const Shape os = g.output_shape();
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
  const auto y = run_int8(model, src.get(), cfg.backend, geom, x, batch);
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

namespace keymac {

namespace {

std::string percent(int64_t correct, int64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %% (%lld/%lld)", n ? 100.0 * static_cast<double>(correct) / static_cast<double>(n) : 0.0,
                static_cast<long long>(correct), static_cast<long long>(n));
  return buf;
}

int64_t count_correct(const std::vector<float>& scores, const Dataset& d, int64_t classes) {
  int64_t c = 0;
  for (int64_t i = 0; i < d.count; ++i) c += argmax(scores.data() + i * classes, classes) == d.labels[static_cast<size_t>(i)];
  return c;
}

void check_shape(const Shape& model_shape, const Dataset& d, const std::string& model_path) {
  if (numel(model_shape) != numel(d.sample_shape) ||
      (model_shape.size() != 1 && model_shape != d.sample_shape))
    throw Error(d.source + ": samples have shape " + shape_str(d.sample_shape) + " but " + model_path + " takes " +
                shape_str(model_shape));
}

}  // namespace

void check_dataset_shape(const Shape& model_shape, const Dataset& d, const std::string& model_path) {
  check_shape(model_shape, d, model_path);
}

Preprocessing resolve_preprocessing(const Dataset& d, const std::optional<Preprocessing>& recorded, const std::string& json,
                                    std::optional<double> scale, const std::vector<double>& mean,
                                    const std::vector<double>& std) {
  Preprocessing p;
  p.scale = d.default_scale();
  if (recorded) p = *recorded;
  if (!json.empty()) p = preprocessing_from_json(json, p);
  if (scale) p.scale = *scale;
  if (!mean.empty()) p.mean = mean;
  if (!std.empty()) p.std = std;
  p.check(d.sample_shape.size() == 3 ? d.sample_shape[0] : 1, json.empty() ? "--mean/--std/--scale" : json);
  return p;
}

QuantModel quantize_on_dataset(const Graph& g, const std::string& spec, int64_t calib, const std::string& json,
                               std::optional<double> scale, const std::vector<double>& mean, const std::vector<double>& std) {
  const Dataset d = load_dataset(spec, calib);
  const Preprocessing p = resolve_preprocessing(d, std::nullopt, json, scale, mean, std);
  check_shape(g.input_shape, d, g.source);
  std::vector<float> x(static_cast<size_t>(d.count * numel(d.sample_shape)));
  d.batch(0, d.count, p, x.data());
  QuantModel q = quantize(g, x, d.count, Preprocess{});
  q.dataset_scale = p.scale;
  q.dataset_mean = p.mean;
  q.dataset_std = p.std;
  return q;
}

DatasetEval run_dataset_eval(const InferConfig& cfg) {
  DatasetEval out;
  const bool pkg = is_package_file(cfg.model);
  if (pkg && !cfg.int8) throw UsageError("--model: " + cfg.model + " is a locked package (int8 only); add --int8 and --key");
  if (!cfg.int8 && !cfg.key_path.empty()) throw UsageError("--key: float mode runs the unlocked ONNX model on the host; --key needs --int8");
  if (!cfg.int8 && cfg.backend != "functional") throw UsageError("--backend: float mode runs on the host; --backend needs --int8");
  const Dataset d = load_dataset(cfg.dataset, cfg.limit);
  QuantModel model;
  std::optional<Preprocessing> recorded;
  if (pkg) {
    model = read_package(cfg.model);
    Preprocessing r;
    if (!model.dataset_mean.empty()) r.scale = model.dataset_scale, r.mean = model.dataset_mean, r.std = model.dataset_std;
    else r.scale = 1.0 / 255.0, r.mean = {model.preprocess.mean}, r.std = {model.preprocess.std};
    recorded = r;
  }
  const std::vector<double> mean = cfg.mean.empty() ? std::vector<double>{} : parse_number_list(cfg.mean, "--mean");
  const std::vector<double> stdv = cfg.std.empty() ? std::vector<double>{} : parse_number_list(cfg.std, "--std");
  if (pkg) {  // the package's recorded preprocessing is part of the model: flags may only repeat it
    auto same = [](const std::vector<double>& given, const std::vector<double>& rec) {
      for (size_t i = 0; i < given.size(); ++i) {
        const double r = rec.size() == 1 ? rec[0] : (given.size() == rec.size() ? rec[i] : NAN);
        if (!(std::fabs(given[i] - r) <= 1e-6 * std::max(1.0, std::fabs(r)))) return false;
      }
      return true;
    };
    auto list = [](const std::vector<double>& v) {
      std::string s;
      for (double x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
      return s;
    };
    if (!same(mean, recorded->mean))
      throw UsageError("--mean: " + cfg.mean + " contradicts the mean " + list(recorded->mean) + " recorded in " + cfg.model);
    if (!same(stdv, recorded->std))
      throw UsageError("--std: " + cfg.std + " contradicts the std " + list(recorded->std) + " recorded in " + cfg.model);
    if (cfg.scale && std::fabs(*cfg.scale - recorded->scale) > 1e-9 * std::fabs(recorded->scale))
      throw UsageError("--scale: contradicts the scale recorded in " + cfg.model);
  }
  const Preprocessing p = resolve_preprocessing(d, recorded, cfg.preprocess_json, cfg.scale, mean, stdv);
  std::vector<float> x(static_cast<size_t>(d.count * numel(d.sample_shape)));
  d.batch(0, d.count, p, x.data());
  out.lines.push_back("dataset: " + d.source + ", " + std::to_string(d.count) + " samples of shape " +
                      shape_str(d.sample_shape) + ", " + std::to_string(d.num_classes) + " classes; preprocessing " + p.str());
  std::optional<Graph> g;
  if (!pkg) {
    g = import_onnx(cfg.model);
    check_shape(g->input_shape, d, cfg.model);
    if (g->num_outputs() < d.num_classes)
      throw Error(cfg.model + ": model has " + std::to_string(g->num_outputs()) + " outputs but the labels reach class " +
                  std::to_string(d.num_classes - 1));
    std::vector<float> scores;
    for (int64_t s = 0; s < d.count; s += 256) {
      const int64_t b = std::min<int64_t>(256, d.count - s);
      const auto part = run_float(*g, x.data() + s * numel(d.sample_shape), b);
      scores.insert(scores.end(), part.begin(), part.end());
    }
    const int64_t correct = count_correct(scores, d, g->num_outputs());
    out.lines.push_back("float accuracy: " + percent(correct, d.count));
    const double acc = static_cast<double>(correct) / static_cast<double>(d.count), chance = 1.0 / d.num_classes;
    if (acc < 1.5 * chance)
      out.warnings.push_back("float accuracy " + percent(correct, d.count) + " on " + d.source + " is at chance (1/" +
                             std::to_string(d.num_classes) + "): check the preprocessing (--mean/--std/--scale) and the label order");
  }
  if (!cfg.int8) return out;
  std::unique_ptr<KeySource> src;
  Geometry geom = cfg.array.value_or(Geometry::make(16, 16));
  if (pkg) {
    if (cfg.key_path.empty()) throw Error(cfg.model + ": running a locked package needs --key FILE (the key it was locked with)");
    geom = model.lock_geometry;
    check_shape(model.input_shape, d, cfg.model);
    src = key_source_for(model, cfg.key_path);
  } else {
    const int64_t n = std::min(cfg.calib, d.count);
    model = quantize(*g, std::vector<float>(x.begin(), x.begin() + n * numel(d.sample_shape)), n, Preprocess{});
    if (!cfg.key_path.empty()) {
      src = make_key_source(read_key_file(cfg.key_path), geom, fresh_nonce());
      model = lock_model(model, *src);
    }
  }
  const auto y = run_int8(model, src.get(), cfg.backend, geom, x, d.count);
  out.lines.push_back("int8 accuracy: " + percent(count_correct(y, d, model.num_outputs), d.count) + " on the " + cfg.backend + " " +
                      geom.str() + " array, " + (src ? "keyed" : "plain (no key; unlocked weights: the int8 reference)") +
                      (pkg ? "" : ", calibrated on the first " + std::to_string(std::min(cfg.calib, d.count)) + " samples"));
  return out;
}

}  // namespace keymac
