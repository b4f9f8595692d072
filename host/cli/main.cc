// keymac: the command-line entry point. Errors become one line on stderr
// ("keymac: <file>: <problem>") and exit code 1; usage errors exit 2; an
// interrupted long command exits 130 after saving what finished.
#include <csignal>
#include <cstdio>
#include <exception>

#include "host/cli/commands.h"
#include "sim/core/error.h"

namespace keymac::cli {
std::atomic<bool> g_stop{false};
}

namespace {
extern "C" void on_signal(int sig) {
  if (keymac::cli::g_stop.exchange(true)) {  // second signal: leave now
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}
}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  CLI::App app{"keymac: cycle-accurate simulator of a keyed MAC array (sign-flip model locking)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "keymac 0.1.0");
  keymac::cli::Runner run;
  keymac::cli::add_keygen(app, run);
  keymac::cli::add_lock(app, run);
  keymac::cli::add_relock(app, run);
  keymac::cli::add_run(app, run);
  keymac::cli::add_saif(app, run);  // traces issue
  keymac::cli::add_sweep(app, run);
  keymac::cli::add_plot(app, run);
  keymac::cli::add_synth(app, run);
#ifdef KEYMAC_HAVE_RTL
  keymac::cli::add_cosim(app, run);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run ? run() : 0;
  } catch (const keymac::Error& e) {
    std::fprintf(stderr, "keymac: %s\n", e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "keymac: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keymac: internal error: %s\n", e.what());
  }
  return 1;
}
