"""What OpenSTA's read_saif can annotate from a SAIF on a Yosys netlist, by
OpenSTA's own lookup rules (OpenSTA power/SaifReader.cc, network/SdcNetwork.cc,
network/VerilogNamespace.cc at commit d1b2b39), without OpenSTA:

* An INSTANCE token is looked up as is among the parent's children, then with
  its brackets escaped (SdcNetwork::findChild). A child's name is its Verilog
  name in OpenSTA's form: an escaped identifier `\\g_row[0].u_pe ` becomes
  `g_row\\[0\\].u_pe` (brackets, '/' and '\\' escaped, nothing else).
* A NET token loses every backslash (SaifReader::unescaped) and names a pin
  of the instance (findPin): a port bit of its module (`a_data_i[3]`) or a
  scalar port. A pin of a hierarchical instance (a module, not a library
  cell) is skipped (isHierarchical), so in a netlist of modules and cells
  only the top-level ports are annotated ("Annotated N pin activities");
  OpenSTA propagates activity to everything else. Real OpenSTA 3.1.0 on the
  4x4 Nangate45 netlist: 205 annotated pins = the top ports (docs/TRACES.md).

usage: opensta_names.py NETLIST.v SAIF TOP EXPECT_INSTANCES
Prints the counts; exits 1 if an instance of the SAIF is not found, if a
port bit of a found instance has no SAIF net, or if no top port is annotated.
"""
import re
import sys

from yosys_netlist import netlist as read_netlist


def sta_name(verilog_id):
    if not verilog_id.startswith("\\"):
        return verilog_id
    return re.sub(r"([\[\]/\\])", r"\\\1", verilog_id[1:])


def netlist(path):
    """{module: {"ports": set(pin names), "cells": {sta instance name: module}}}, names in OpenSTA's form."""
    return read_netlist(path, sta_name)


def saif(path):
    """[(instance token path, [net tokens])], tokens as written in the file."""
    toks = re.findall(r"\(|\)|(?:\\.|[^\s()\\])+", open(path).read())
    out, kinds, inst, i = [], [], [], 0
    while i < len(toks):
        t = toks[i]
        if t == "(":
            w = toks[i + 1]
            if w == "INSTANCE":
                inst.append(toks[i + 2])
                out.append((list(inst), []))
                kinds.append("I"); i += 3; continue
            if w == "NET":
                kinds.append("N"); i += 2; continue
            if kinds and kinds[-1] == "N":
                [o for o in out if o[0] == inst][-1][1].append(w)
                kinds.append("n"); i += 2; continue
            kinds.append("x"); i += 2; continue
        if t == ")" and kinds and kinds.pop() == "I":
            inst.pop()
        i += 1
    return out


def find_child(nl, module, token):
    cells = nl[module]["cells"]
    if token in cells:
        return cells[token]
    return cells.get(re.sub(r"([\[\]])", r"\\\1", token))


def main():
    nl, entries, top, want_inst = netlist(sys.argv[1]), saif(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    found = missing = pins = hier = 0
    unmatched_ports = []
    for path, nets in entries:
        if path[0] != top:
            continue
        mod = top
        for tok in path[1:]:
            mod = find_child(nl, mod, tok) if mod else None
        if len(path) > 1:
            if mod is None:
                missing += 1
                if missing <= 3:
                    print(f"not found by OpenSTA: INSTANCE {'/'.join(path)}")
                continue
            found += 1
        if mod is None or mod not in nl:
            continue
        names = {n.replace("\\", "") for n in nets}
        ports = nl[mod]["ports"]
        if len(path) == 1:
            pins += len(names & ports)      # top-level ports: annotated
        else:
            hier += len(names & ports)      # hierarchical pins: found, skipped
        unmatched_ports += [f"{'/'.join(path)}/{p}" for p in sorted(ports - names)]
    print(f"OpenSTA would find {found} of {found + missing} SAIF instances, annotate the {pins} top-level port "
          f"pins and skip {hier} hierarchical pins ({len(unmatched_ports)} port bits of found instances without a SAIF net)")
    ok = missing == 0 and found == want_inst and not unmatched_ports and pins > 0
    for p in unmatched_ports[:5]:
        print("no SAIF net for pin", p)
    sys.exit(0 if ok else 1)


main()
