#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "sim/core/geometry.h"
#include "sim/core/key.h"

namespace keymac::cli {

void add_keygen(CLI::App& app, Runner& run) {
  struct Opts { std::string array, out; };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("keygen", "Write a fresh per-PE key (OS secure random) for an RxC array");
  c->add_option("--array", o->array, "array geometry RxC, e.g. 16x16")->required();
  c->add_option("--out", o->out, "key file to write (docs/FORMATS.md)")->required();
  c->callback([o, &run] {
    run = [o] {
      const Geometry g = Geometry::parse(o->array);
      Key::secure_random(g).write(o->out);
      std::printf("wrote %d-bit key for a %s array to %s\n", g.pes(), g.str().c_str(), o->out.c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
