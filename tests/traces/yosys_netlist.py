"""A small reader of Yosys `write_verilog` netlists and a check of SAIF names
against them (tests/traces/yosys_names.sh); independent of keymac's code.

netlist(path) -> {module: {"wires": set(names), "cells": {instance: module_type}}}
Escaped identifiers (\\g_row[0].g_col[0].u_pe ) are returned without the backslash.
"""
import re
import sys

ID = r"(\\\S+|[A-Za-z_$][\w$]*)"


def unescape(n):
    return n[1:] if n.startswith("\\") else n


def netlist(path, name=unescape):
    """{module: {"wires": set, "ports": set of port bits, "cells": {instance: module_type}}}.
    name(verilog_id) turns an identifier into the caller's form (default: the
    escape backslash dropped); a vector port [a:b] gives the bits "p[i]"."""
    mods, cur = {}, None
    for line in open(path):
        s = line.strip()
        m = re.match(r"module\s+" + ID, s)
        if m:
            cur = {"wires": set(), "ports": set(), "cells": {}}
            mods[name(m.group(1))] = cur
            continue
        if cur is None:
            continue
        m = re.match(r"(wire|reg|input|output|inout)\s+(?:signed\s+)?(?:\[(\d+):(\d+)\]\s+)?" + ID + r"\s*;", s)
        if m:
            n = name(m.group(4))
            cur["wires"].add(n)
            if m.group(1) in ("input", "output", "inout"):
                if m.group(2) is None:
                    cur["ports"].add(n)
                else:
                    a, b = int(m.group(2)), int(m.group(3))
                    cur["ports"].update(f"{n}[{i}]" for i in range(min(a, b), max(a, b) + 1))
            continue
        m = re.match(ID + r"\s+" + ID + r"\s*\($", s)
        if m and not s.startswith(("assign", "always", "module")):
            cur["cells"][name(m.group(2))] = name(m.group(1))
    return mods


def saif_instances(path):
    """[(instance path list, [net base names])] with SAIF escapes removed."""
    toks = re.findall(r"\(|\)|(?:\\.|[^\s()\\])+", open(path).read())
    out, stack, i = [], [], 0
    def clean(n):
        n = re.sub(r"\\\[(\d+)\\\]$", "", n)           # bus bit
        return re.sub(r"\\(.)", r"\1", n)                # escapes
    inst, in_net = [], False
    while i < len(toks):
        t = toks[i]
        if t == "(":
            w = toks[i + 1]
            if w == "INSTANCE":
                inst.append(clean(toks[i + 2]))
                out.append((list(inst), []))
                stack.append("I"); i += 3; continue
            if w == "NET":
                stack.append("N"); i += 2; continue
            if stack and stack[-1] == "N":
                out_i = [o for o in out if o[0] == inst][-1]
                out_i[1].append(clean(w))
                stack.append("n"); i += 2; continue
            stack.append("x"); i += 2; continue
        if t == ")":
            if stack and stack.pop() == "I":
                inst.pop()
        i += 1
    return out
