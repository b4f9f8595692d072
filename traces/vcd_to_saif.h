// Streaming VCD -> backward SAIF 2.0 converter (`keymac saif`).
//
// Contract:
//  * Reads any IEEE 1364 VCD (keymac's VcdWriter, SystemC's sc_trace,
//    Verilator, Icarus, ...): $timescale, nested $scope/$upscope, $var of any
//    type (wire, reg, integer, ...) with or without a bit range ("[7:0]",
//    "[3]", or attached to the name), scalar changes 0/1/x/z, vector changes
//    b..., real/string changes (ignored), $dumpvars/$dumpall/$dumpon/$dumpoff
//    sections, $comment. Several $var sharing one identifier code are aliases.
//  * Memory is O(signal bits): the file is read in fixed-size chunks and
//    every net keeps only its current value and five counters.
//  * Per net bit: T0/T1 are the times at 0/1, TX the time at x or z, TC the
//    number of 0->1 and 1->0 transitions (transitions through x/z are not
//    toggles), IG 0 (a VCD carries no glitch information). Every bit is x
//    from the first timestamp until its first value; DURATION runs from the
//    first to the last timestamp of the file.
//  * scope (optional, '.' or '/' separated, e.g. "TOP.km_array"): only nets at
//    or below that scope are written, and that scope becomes the top INSTANCE.
//    A scope that is not a path from the top is looked up as the end of one:
//    "km_array" selects "SystemC.km_array" when that is the only scope path
//    ending in it. Unknown or ambiguous scope: keymac::Error listing the
//    top-level scopes (or the candidates).
//  * names (SaifNames): how the scopes below the top INSTANCE become SAIF
//    instances. kNested: one INSTANCE per VCD scope (g_row[0]/g_col[0]/u_pe).
//    kYosysHier: as Yosys names a hierarchical netlist: generate blocks are
//    not instances but name prefixes joined with '.', so the PE is the one
//    instance "g_row[0].g_col[0].u_pe" (g_row\[0\].g_col\[0\].u_pe in the SAIF) and a generate
//    block's net is "g_row[0].g_col[0].we" in the enclosing instance.
//    kYosysFlat: as `synth -flatten` names them: every net in the top
//    INSTANCE, named by its full '.'-joined path ("g_row[0].g_col[0].u_pe.psum_q").
//    With either Yosys naming a one-bit [0:0] vector is a scalar net (Yosys
//    writes it without a range), and instance names keep '.' unescaped
//    (saif_instance_name), so OpenSTA's read_saif finds them.
//    A scope is a generate block when the VCD declares it as begin/generate
//    or, since Verilator declares every scope as a module, when its name is a
//    generate label of keymac's RTL style: "g_..." (with or without an index)
//    or Verilator's "unnamedblk...".
//  * timescale (optional, "<1|10|100> <s|ms|us|ns|ps|fs>"): the length of one
//    VCD time unit, replacing the file's $timescale (counts are unchanged).
//    For a VCD whose time is not physical time, e.g. the verilated km_array's
//    10 units per cycle: "100 ps" makes a cycle 1 ns (1 GHz).
//  * Errors name the VCD file (and line for syntax errors).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

namespace keymac::traces {

enum class SaifNames { kNested, kYosysHier, kYosysFlat };
// "nested" | "yosys-hier" | "yosys-flat"; anything else: keymac::Error.
SaifNames parse_saif_names(const std::string& s);

struct VcdToSaifResult {
  uint64_t nets = 0;
  uint64_t duration = 0;
  std::string timescale;
};

VcdToSaifResult vcd_to_saif(const std::string& vcd_path, std::ostream& saif, const std::string& scope = "",
                            const std::string& timescale = "", SaifNames names = SaifNames::kNested);
// Writes the SAIF atomically to saif_path.
VcdToSaifResult vcd_to_saif_file(const std::string& vcd_path, const std::string& saif_path,
                                 const std::string& scope = "", const std::string& timescale = "",
                                 SaifNames names = SaifNames::kNested);

}  // namespace keymac::traces
