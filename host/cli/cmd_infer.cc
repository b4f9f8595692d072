// `keymac infer --model M.onnx|P.kmpkg [--key K] --input a.npy|a.pb [...]
//  --out o.npy|o.pb [--int8] [--backend B]`: one model on given tensors
// (host/runtime/infer_job.h, docs/INFER.md). Prints one line per output
// file; never the key. With --jobs FILE, many runs in one process (the
// onnx-conformance runner): each line "MODEL<TAB>OUT<TAB>INPUT[<TAB>INPUT...]",
// one result line per job ("ok OUT ..." or "keymac: <error>"), exit 1 if any
// job failed.
#include <fstream>
#include <cstdio>
#include <memory>

#include "host/cli/cli_checks.h"
#include "host/cli/commands.h"
#include "host/runtime/infer_job.h"
#include "host/tensor/tensor_file.h"
#include "sim/core/error.h"

namespace keymac::cli {

namespace {

void infer_one(const InferConfig& cfg, const std::vector<std::string>& outs) {
  for (const auto& p : outs)
    if (!is_tensor_file_name(p)) throw UsageError("--out: " + p + " must end in .npy or .pb");
  const InferResult r = run_infer(cfg);
  if (outs.size() != r.outputs.size())
    throw UsageError("--out: the model has " + std::to_string(r.outputs.size()) + " output(s), " +
                     std::to_string(outs.size()) + " --out file(s) were given");
  for (size_t i = 0; i < r.outputs.size(); ++i) {
    write_tensor_file(outs[i], r.outputs[i], r.names[i]);
    std::printf("wrote %s: '%s' %s float32, %s\n", outs[i].c_str(), r.names[i].c_str(),
                dims_str(r.outputs[i].dims).c_str(), r.mode.c_str());
  }
}

}  // namespace

void add_infer(CLI::App& app, Runner& run) {
  struct Opts {
    InferConfig cfg;
    std::vector<std::string> outs;
    std::string array, jobs;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("infer", "Run one model on given tensors (.npy / ONNX TensorProto .pb) and write its outputs");
  auto* model = c->add_option("--model", o->cfg.model, "ONNX model, or locked package (with --int8 --key)");
  c->add_option("--key", o->cfg.key_path, "key file: the package's key; with an ONNX model and --int8, lock with it");
  c->add_option("--input", o->cfg.inputs, "input tensor file(s), in the order of the model's graph inputs; "
                                          "inputs after the first are bound as constants");
  auto* outs = c->add_option("--out", o->outs, "output tensor file(s) (.npy or .pb), one per model output");
  auto* jobs = c->add_option("--jobs", o->jobs, "file of jobs, one per line: MODEL<TAB>OUT<TAB>INPUT[<TAB>INPUT...]");
  jobs->excludes(model)->excludes(outs)->excludes(c->get_option("--input"));
  // Dataset mode (docs/DATASETS.md).
  auto* ds = c->add_option("--dataset", o->cfg.dataset, "accuracy over a labelled dataset: idx:IMG,LBL | cifar10:F[,F..] | "
                                                        "cifar100:F[,F..] | npz:F[,XKEY,YKEY] | npy:IMG,LBL");
  for (const char* n : {"--input", "--out", "--jobs"}) ds->excludes(c->get_option(n));
  c->add_option("--limit", o->cfg.limit, "with --dataset: only the first N samples")->check(int_range(1, 1000000000))->needs(ds);
  c->add_option("--calib", o->cfg.calib, "with --dataset --int8 and an ONNX model: calibrate on the first N samples")
      ->capture_default_str()->check(int_range(1, 1000000000))->needs(ds);
  c->add_option("--mean", o->cfg.mean, "with --dataset: mean(s) subtracted after --scale, one or one per channel (0.5 or 0.49,0.48,0.45)")->needs(ds);
  c->add_option("--std", o->cfg.std, "with --dataset: std(s) divided by, one or one per channel")->needs(ds);
  c->add_option("--scale", o->cfg.scale, "with --dataset: raw values are multiplied by this first (default 1/255 for bytes, 1 for floats)")
      ->check(real_range(-1e9, 1e9, false))->needs(ds);
  c->add_option("--preprocess", o->cfg.preprocess_json, "with --dataset: JSON {\"scale\": s, \"mean\": [...], \"std\": [...]}; flags override it")->needs(ds);
  c->add_flag("--int8", o->cfg.int8, "int8 on the array (ONNX: calibrated on the given inputs) instead of float on the host");
  c->add_option("--backend", o->cfg.backend, "with --int8: functional, systemc or rtl")->capture_default_str();
  c->add_option("--array", o->array, "with --int8 and an ONNX model: array geometry RxC (default 16x16)");
  c->callback([o, &run] {
    run = [o] {
      InferConfig cfg = o->cfg;
      if (!o->array.empty()) cfg.array = Geometry::parse(o->array);
      if (!cfg.dataset.empty()) {
        if (cfg.model.empty()) throw UsageError("infer: --dataset needs --model");
        const DatasetEval e = run_dataset_eval(cfg);
        for (const auto& w : e.warnings) std::fprintf(stderr, "keymac: warning: %s\n", w.c_str());
        for (const auto& l : e.lines) std::printf("%s\n", l.c_str());
        return 0;
      }
      if (o->jobs.empty()) {
        if (cfg.model.empty() || o->outs.empty() || cfg.inputs.empty())
          throw UsageError("infer: --model, --input and --out are required (or --jobs FILE)");
        infer_one(cfg, o->outs);
        return 0;
      }
      std::ifstream f(o->jobs);
      if (!f) throw Error(o->jobs + ": cannot open the jobs file");
      std::string line;
      int failed = 0;
      for (int64_t n = 1; std::getline(f, line); ++n) {
        std::vector<std::string> fields;
        for (size_t a = 0, b; a <= line.size(); a = b + 1) {
          b = line.find('\t', a);
          if (b == std::string::npos) b = line.size();
          fields.push_back(line.substr(a, b - a));
        }
        if (line.empty()) continue;
        try {
          if (fields.size() < 2) throw Error(o->jobs + ":" + std::to_string(n) + ": want MODEL<TAB>OUT<TAB>INPUT...");
          InferConfig job = cfg;
          job.model = fields[0];
          job.inputs.assign(fields.begin() + 2, fields.end());
          infer_one(job, {fields[1]});
        } catch (const std::exception& e) {  // keymac::Error, or anything a job throws: that job failed
          std::printf("keymac: %s\n", e.what());
          ++failed;
        }
        std::fflush(stdout);
      }
      return failed ? 1 : 0;
    };
  });
}

}  // namespace keymac::cli
