// `keymac export --model P.kmpkg --out P.onnx`: the locked package as a plain
// float ONNX model (host/security/onnx_export.h). Never the key or unlocked weights.
#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "host/lock/package.h"
#include "host/security/onnx_export.h"
#include "sim/core/error.h"

namespace keymac::cli {

void add_export(CLI::App& app, Runner& run) {
  struct Opts {
    std::string model, out;
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("export", "Export a locked package as a plain float ONNX model (dequantised locked weights; "
                                         "no key, no unlocked weights)");
  c->add_option("--model", o->model, "locked package (from `keymac lock`)")->required();
  c->add_option("--out", o->out, "ONNX file to write")->required();
  c->callback([o, &run] {
    run = [o] {
      if (!is_package_file(o->model)) throw Error(o->model + ": not a keymac locked package (export takes the output of `keymac lock`)");
      const QuantModel locked = read_package(o->model);
      export_float_onnx(locked, o->out);
      std::printf("wrote %s: the package locked for %s as a float ONNX model (locked weights, no key)\n", o->out.c_str(),
                  locked.lock_geometry.str().c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
