#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "sim/core/geometry.h"
#include "sim/core/error.h"
#include "sim/core/key.h"
#include "sim/core/master_key.h"

namespace keymac::cli {

void add_keygen(CLI::App& app, Runner& run) {
  struct Opts { std::string array, out, mode = "periodic"; };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("keygen", "Write a fresh per-PE key (OS secure random) for an RxC array");
  c->add_option("--array", o->array, "array geometry RxC, e.g. 16x16 (periodic keys)");
  c->add_option("--out", o->out, "key file to write (docs/FORMATS.md)")->required();
  c->add_option("--mode", o->mode, "periodic: one bit per PE; expanded: an 80-bit Trivium master key (ARCHITECTURE.md 11)")->capture_default_str();
  c->callback([o, &run] {
    run = [o] {
      if (parse_key_mode(o->mode, "--mode") == KeyMode::kExpanded) {
        if (!o->array.empty()) throw Error("--array: a master key is not tied to a geometry (leave --array out with --mode expanded)");
        MasterKey::secure_random().write(o->out);
        std::printf("wrote an 80-bit master key (expanded mode, Trivium) to %s\n", o->out.c_str());
        return 0;
      }
      if (o->array.empty()) throw Error("--array: required for a periodic key");
      const Geometry g = Geometry::parse(o->array);
      Key::secure_random(g).write(o->out);
      std::printf("wrote %d-bit key for a %s array to %s\n", g.pes(), g.str().c_str(), o->out.c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
