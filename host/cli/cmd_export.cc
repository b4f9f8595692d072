// `keymac export`: placeholder, implemented below in this branch.
#include "host/cli/commands.h"
#include "sim/core/error.h"
namespace keymac::cli {
void add_export(CLI::App& app, Runner& run) {
  auto* c = app.add_subcommand("export", "Export a locked package as a plain float ONNX model (no key, no unlocked weights)");
  c->callback([&run] { run = [] () -> int { throw Error("export: not implemented yet"); }; });
}
}  // namespace keymac::cli
