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


def netlist(path):
    mods, cur = {}, None
    for line in open(path):
        s = line.strip()
        m = re.match(r"module\s+" + ID, s)
        if m:
            cur = {"wires": set(), "cells": {}}
            mods[unescape(m.group(1))] = cur
            continue
        if cur is None:
            continue
        m = re.match(r"(wire|reg|input|output|inout)\s+(?:signed\s+)?(?:\[[^\]]*\]\s+)?" + ID + r"\s*;", s)
        if m:
            cur["wires"].add(unescape(m.group(2)))
            continue
        m = re.match(ID + r"\s+" + ID + r"\s*\($", s)
        if m and not s.startswith(("assign", "always", "module")):
            cur["cells"][unescape(m.group(2))] = unescape(m.group(1))
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
