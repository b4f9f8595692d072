// `keymac infer`: one model on given tensors (docs/INFER.md).
// Contract: run_infer() reads the model (ONNX, or a locked package), binds
// the input tensors, runs either the float model on the host or the int8
// model on an array backend, and returns the output tensors with their ONNX
// names. Inputs bind to the model's graph inputs that are not initializers,
// in order: the first is the activation input ([N, ...per-sample shape]);
// any further ones (ONNX node tests feed weights this way) become constant
// initializers of the graph before it is imported. Int8 mode quantizes an
// ONNX model calibrated on the given input batch itself; a package runs its
// recorded quantization and needs the key. Every refusal is one line naming
// the file or option (keymac::Error; UsageError for option combinations).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/model/graph.h"
#include "host/quant/quant_model.h"
#include "host/tensor/tensor.h"
#include "sim/core/geometry.h"

namespace keymac {

struct InferConfig {
  std::string model;                    // .onnx or locked package
  std::string key_path;                 // package: required; ONNX --int8: lock with it (else plain array)
  std::vector<std::string> inputs;      // .npy / .pb, one per graph input
  bool int8 = false;                    // int8 on the array (default: float on the host)
  std::string backend = "functional";   // int8 only
  std::optional<Geometry> array;        // ONNX --int8: array geometry (default 16x16)
  // --- dataset mode (docs/DATASETS.md): accuracy over a labelled dataset instead of tensors
  std::string dataset;                  // FORMAT:PATHS (host/data/dataset.h)
  int64_t limit = -1;                   // first N samples; -1: all
  int64_t calib = 1000;                 // ONNX --int8: calibrate on the first N samples
  std::string mean, std, preprocess_json;  // --mean/--std lists, --preprocess JSON
  std::optional<double> scale;          // --scale (default 1/255 for byte data, 1 for floats)
};

struct DatasetEval {
  std::vector<std::string> lines;       // the report, one fact per line
  std::vector<std::string> warnings;    // e.g. float accuracy at chance
};

// A dataset's preprocessing: the data's default scale < `recorded` (a
// package's) < the JSON file < the flags (empty: not given); checked against
// the data's channel count.
Preprocessing resolve_preprocessing(const Dataset& d, const std::optional<Preprocessing>& recorded, const std::string& json,
                                    std::optional<double> scale, const std::vector<double>& mean,
                                    const std::vector<double>& std);
// The dataset's samples fit the model's input (same shape, or the same count into a [F] input).
void check_dataset_shape(const Shape& model_shape, const Dataset& d, const std::string& model_path);
// `keymac lock --dataset`: the graph quantized on the first `calib` samples of
// the dataset, with the preprocessing recorded in the model (dataset_*).
QuantModel quantize_on_dataset(const Graph& g, const std::string& spec, int64_t calib, const std::string& json,
                               std::optional<double> scale, const std::vector<double>& mean, const std::vector<double>& std);

// Float accuracy (ONNX) and, with --int8, int8 accuracy on the array over the
// dataset; warns when the float accuracy is at chance (below 1.5 / classes).
DatasetEval run_dataset_eval(const InferConfig& cfg);

struct InferResult {
  std::vector<Tensor> outputs;
  std::vector<std::string> names;       // the graph's output names
  std::string mode;                     // e.g. "float (host)", "int8 on functional 16x16, key"
};

InferResult run_infer(const InferConfig& cfg);

// The ONNX model at `path` with graph inputs 1.. replaced by constant
// initializers holding `bound[i - 1]`, imported (used by run_infer()).
Graph import_onnx_binding(const std::string& path, const std::vector<Tensor>& bound,
                          const std::vector<std::string>& bound_paths, std::string* output_name);

}  // namespace keymac
