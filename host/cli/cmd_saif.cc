// `keymac saif TRACE.vcd -o OUT.saif [--scope TOP] [--names nested|yosys-hier|yosys-flat] [--timescale "100 ps"]`: streaming VCD -> backward
// SAIF 2.0 converter (traces/vcd_to_saif.h), memory O(signals).
#include <cstdio>
#include <memory>
#include <string>

#include "host/cli/commands.h"
#include "traces/vcd_to_saif.h"

namespace keymac::cli {

void add_saif(CLI::App& app, Runner& run) {
  struct Opts {
    std::string vcd, out, scope, timescale, names = "nested";
  };
  auto o = std::make_shared<Opts>();
  auto* c = app.add_subcommand("saif", "Convert a VCD (any simulator) into a backward SAIF 2.0 file for power tools");
  c->add_option("vcd", o->vcd, "input VCD file")->required();
  c->add_option("-o,--out", o->out, "output SAIF file")->required();
  c->add_option("--scope", o->scope, "only this scope and below, e.g. km_array.km_array, or the end of a path such as km_array for SystemC.km_array (it becomes the SAIF's top instance)");
  c->add_option("--names", o->names,
                "SAIF instance names: nested (one INSTANCE per VCD scope), yosys-hier (as a hierarchical Yosys netlist: "
                "g_row[0].g_col[0].u_pe is one instance) or yosys-flat (as `synth -flatten`: every net in the top instance)")
      ->capture_default_str();
  c->add_option("--timescale", o->timescale, "length of one VCD time unit, replacing the file's $timescale, e.g. \"100 ps\"");
  c->callback([o, &run] {
    run = [o] {
      const auto r = traces::vcd_to_saif_file(o->vcd, o->out, o->scope, o->timescale, traces::parse_saif_names(o->names));
      std::printf("%s: %llu nets, duration %llu x %s\n", o->out.c_str(), static_cast<unsigned long long>(r.nets),
                  static_cast<unsigned long long>(r.duration), r.timescale.c_str());
      return 0;
    };
  });
}

}  // namespace keymac::cli
