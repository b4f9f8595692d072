// SaifTree: the toggle statistics of a design's nets, arranged by instance,
// and the backward SAIF 2.0 text they are written as. Shared by the direct
// SAIF writer (SaifWriter) and the VCD -> SAIF converter (vcd_to_saif).
//
// Contract: write_saif() emits the header (SAIFILE, SAIFVERSION "2.0",
// DIRECTION "backward", DESIGN, DATE, VENDOR, PROGRAM_NAME, VERSION, DIVIDER /,
// TIMESCALE, DURATION), then one nested INSTANCE block per scope, each with a
// NET block listing (T0)(T1)(TX)(TC)(IG) per net. Bus bit i of bus "x" is the
// net "x\[i\]". For every net T0 + T1 + TX == DURATION (time with z counts as TX).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace keymac::traces {

struct SaifNet {
  std::string name;  // already escaped (e.g. "a_data_i\\[3\\]")
  uint64_t t0 = 0, t1 = 0, tx = 0, tc = 0, ig = 0;
};

struct SaifInstance {
  std::string name;
  std::vector<SaifNet> nets;
  std::vector<std::unique_ptr<SaifInstance>> children;
  // Child instance by name, created on first use (keeps creation order).
  SaifInstance& child(const std::string& n);
};

struct SaifHeader {
  std::string design;              // DESIGN (may be empty)
  std::string timescale = "1 ps";  // "<n> <unit>"
  uint64_t duration = 0;
  std::string program = "keymac";
  std::string version = "0.1.0";
};

// Escapes a net name for SAIF: '[' ']' and other non-identifier characters get '\'.
std::string saif_escape(const std::string& name);
// Escapes an INSTANCE name: as saif_escape, but '.' stays as it is
// ("g_row\[0\].g_col\[0\].u_pe", a Yosys instance name). '.' is not the
// SAIF DIVIDER ('/'), and OpenSTA's read_saif compares the INSTANCE token
// with its own instance names, in which only '[', ']', '/' and '\' are
// escaped: an escaped '.' matched no instance (docs/TRACES.md "OpenSTA").
std::string saif_instance_name(const std::string& name);
// Name of bit i of bus `bus` ("bus\[i\]").
std::string saif_bit_name(const std::string& bus, int64_t i);

void write_saif(std::ostream& os, const SaifHeader& h, const std::vector<const SaifInstance*>& tops);

}  // namespace keymac::traces
