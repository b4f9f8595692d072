#include <cstdio>
#include <memory>

#include "host/cli/commands.h"
#include "host/lock/key_file.h"
#include "host/lock/package.h"
#include "sim/core/error.h"

namespace keymac::cli {

void add_relock(CLI::App& app, Runner& run) {
  struct Opts { std::string model, from, to, out, to_mode; };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("relock", "Re-issue a locked package for another key (never writes the unlocked weights)");
  c->add_option("--model", o->model, "locked package")->required();
  c->add_option("--from", o->from, "key file the package is locked with")->required();
  c->add_option("--to", o->to, "key file of the device to re-issue the package for")->required();
  c->add_option("--out", o->out, "package to write")->required();
  c->add_option("--key-mode", o->to_mode, "periodic|expanded: mode of --to (default: what the file holds)");
  c->callback([o, &run] {
    run = [o] {
      const QuantModel locked = read_package(o->model);
      const auto from = key_source_for(locked, o->from);
      const KeyFile to_file = read_key_file(o->to, o->to_mode.empty() ? std::nullopt : std::optional<KeyMode>(parse_key_mode(o->to_mode)));
      // An expanded target keeps the package's nonce if it has one (the IVs are public).
      const uint64_t nonce = locked.key_mode == "expanded" ? locked.key_nonce : fresh_nonce();
      const auto to = make_key_source(to_file, locked.lock_geometry, nonce);
      write_package(o->out, relock_model(locked, *from, *to));
      std::printf("relocked %s (%s key) for %s (%s key): %s\n", o->model.c_str(), locked.key_mode.c_str(), o->to.c_str(),
                  key_mode_name(to_file.mode), o->out.c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
