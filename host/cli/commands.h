// Each keymac subcommand registers itself on the CLI11 app through one
// function declared here and defined in its own cmd_<name>.cc; main.cc calls
// them all. A command's run callback throws keymac::Error for bad input and
// returns the process exit code.
#pragma once
#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>

namespace keymac::cli {

using Runner = std::function<int()>;
// Set by the first SIGINT/SIGTERM; long commands stop at the next safe point.
extern std::atomic<bool> g_stop;

void add_keygen(CLI::App& app, Runner& run);
void add_lock(CLI::App& app, Runner& run);
void add_relock(CLI::App& app, Runner& run);
void add_run(CLI::App& app, Runner& run);
void add_saif(CLI::App& app, Runner& run);  // traces issue: cmd_saif.cc
void add_sweep(CLI::App& app, Runner& run);
void add_plot(CLI::App& app, Runner& run);
void add_synth(CLI::App& app, Runner& run);
void add_cosim(CLI::App& app, Runner& run);  // only with KEYMAC_HAVE_RTL
void add_attack(CLI::App& app, Runner& run);  // security issue: cmd_attack.cc
void add_export(CLI::App& app, Runner& run);  // security issue: cmd_export.cc
void add_infer(CLI::App& app, Runner& run);   // issue 12: cmd_infer.cc

}  // namespace keymac::cli
