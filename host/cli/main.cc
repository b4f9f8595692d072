// keymac: the command-line entry point. Errors become one line on stderr
// ("keymac: <file>: <problem>") and exit code 1; usage errors exit 2; an
// interrupted long command exits 130 after saving what finished.
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <system_error>

#include "base/output_file.h"
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
// One line for a CLI11 parse error, in keymac's format ("--threads: ...").
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Every exit path that ran a command checks that stdout got all of it
// (`keymac run > /dev/full`, a closed pipe): one line and a non-zero code.
int finish(int code) {
  const std::string err = keymac::stdout_error();
  if (err.empty()) return code;
  std::fprintf(stderr, "keymac: %s\n", err.c_str());
  return code == 0 ? 1 : code;
}
}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is reported as EPIPE by finish()
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
  keymac::cli::add_attack(app, run);  // security issue
  keymac::cli::add_export(app, run);  // security issue
  keymac::cli::add_infer(app, run);  // issue 12
#ifdef KEYMAC_HAVE_RTL
  keymac::cli::add_cosim(app, run);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return finish(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return finish(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "keymac: %s (see --help)\n", one_line(e.what()).c_str());
    return 2;
  }
  try {
    return finish(run ? run() : 0);
  } catch (const keymac::UsageError& e) {
    std::fprintf(stderr, "keymac: %s\n", e.what());
    finish(2);
    return 2;
  } catch (const keymac::Error& e) {
    std::fprintf(stderr, "keymac: %s\n", e.what());
  } catch (const std::bad_alloc&) {
    // Name the input files the command was given (every argument that is a regular file).
    std::string files;
    for (int i = 1; i < argc; ++i) {
      struct stat st {};
      if (::stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) files += std::string(files.empty() ? "" : ", ") + argv[i];
    }
    std::fprintf(stderr, "keymac: out of memory%s%s%s\n", files.empty() ? "" : " (input files: ", files.c_str(),
                 files.empty() ? "" : ")");
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "keymac: %s (system limit; try fewer --threads)\n", one_line(e.what()).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "keymac: internal error: %s\n", one_line(e.what()).c_str());
  }
  return finish(1);
}
