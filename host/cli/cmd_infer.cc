// `keymac infer --model M.onnx|P.kmpkg [--key K] --input a.npy|a.pb [...]
//  --out o.npy|o.pb [--int8] [--backend B]`: one model on given tensors
// (host/runtime/infer_job.h, docs/INFER.md). Prints one line per output
// file; never the key.
#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "host/runtime/infer_job.h"
#include "host/tensor/tensor_file.h"
#include "sim/core/error.h"

namespace keymac::cli {

void add_infer(CLI::App& app, Runner& run) {
  struct Opts {
    InferConfig cfg;
    std::vector<std::string> outs;
    std::string array;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("infer", "Run one model on given tensors (.npy / ONNX TensorProto .pb) and write its outputs");
  c->add_option("--model", o->cfg.model, "ONNX model, or locked package (with --int8 --key)")->required();
  c->add_option("--key", o->cfg.key_path, "key file: the package's key; with an ONNX model and --int8, lock with it");
  c->add_option("--input", o->cfg.inputs, "input tensor file(s), in the order of the model's graph inputs; "
                                          "inputs after the first are bound as constants")->required();
  c->add_option("--out", o->outs, "output tensor file(s) (.npy or .pb), one per model output")->required();
  c->add_flag("--int8", o->cfg.int8, "int8 on the array (ONNX: calibrated on the given inputs) instead of float on the host");
  c->add_option("--backend", o->cfg.backend, "with --int8: functional, systemc or rtl")->capture_default_str();
  c->add_option("--array", o->array, "with --int8 and an ONNX model: array geometry RxC (default 16x16)");
  c->callback([o, &run] {
    run = [o] {
      InferConfig cfg = o->cfg;
      if (!o->array.empty()) cfg.array = Geometry::parse(o->array);
      for (const auto& p : o->outs)
        if (!is_tensor_file_name(p)) throw UsageError("--out: " + p + " must end in .npy or .pb");
      const InferResult r = run_infer(cfg);
      if (o->outs.size() != r.outputs.size())
        throw UsageError("--out: the model has " + std::to_string(r.outputs.size()) + " output(s), " +
                         std::to_string(o->outs.size()) + " --out file(s) were given");
      for (size_t i = 0; i < r.outputs.size(); ++i) {
        write_tensor_file(o->outs[i], r.outputs[i], r.names[i]);
        std::printf("wrote %s: '%s' %s float32, %s\n", o->outs[i].c_str(), r.names[i].c_str(),
                    dims_str(r.outputs[i].dims).c_str(), r.mode.c_str());
      }
      return 0;
    };
  });
}

}  // namespace keymac::cli
