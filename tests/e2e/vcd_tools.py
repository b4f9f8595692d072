"""Independent VCD / SAIF readers for the waveform-time tests (not keymac code).

vcd_read(path) -> dict(timescale, times, vars: {dotted.path: (id, width)}, changes: {id: [(t, value_str)]})
value_at(vcd, name, t): the value (binary string, MSB first) a signal holds at time t.
saif_read(path) -> dict(duration, timescale, nets: {path/net: {T0,T1,TX,TC}})
"""
import re


def vcd_read(path):
    v = {"timescale": "", "times": [], "vars": {}, "changes": {}}
    scope = []
    t = None
    with open(path) as f:
        toks = f.read().split()
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok == "$timescale":
            j = toks.index("$end", i)
            v["timescale"] = "".join(toks[i + 1:j])
            i = j + 1
            continue
        if tok == "$scope":
            scope.append(toks[i + 2])
            i = toks.index("$end", i) + 1
            continue
        if tok == "$upscope":
            scope.pop()
            i += 2
            continue
        if tok == "$var":
            j = toks.index("$end", i)
            width, ident, name = int(toks[i + 2]), toks[i + 3], toks[i + 4]
            v["vars"][".".join(scope + [name])] = (ident, width)
            v["changes"].setdefault(ident, [])
            i = j + 1
            continue
        if tok in ("$comment", "$date", "$version"):
            i = toks.index("$end", i) + 1
            continue
        if tok.startswith("$"):
            i += 1
            continue
        if tok.startswith("#"):
            t = int(tok[1:])
            v["times"].append(t)
        elif tok[0] in "bB":
            v["changes"].setdefault(toks[i + 1], []).append((t, tok[1:]))
            i += 2
            continue
        elif tok[0] in "01xXzZ":
            v["changes"].setdefault(tok[1:], []).append((t, tok[0]))
        i += 1
    return v


def find(vcd, suffix):
    hits = [k for k in vcd["vars"] if k == suffix or k.endswith("." + suffix)]
    hits.sort(key=len)
    if not hits:
        raise KeyError(suffix + " not in " + ", ".join(sorted(vcd["vars"])[:20]))
    return hits[0]


def value_at(vcd, name, t):
    ident, width = vcd["vars"][find(vcd, name)]
    val = None
    for (ct, cv) in vcd["changes"][ident]:
        if ct is None or ct <= t:
            val = cv
        else:
            break
    if val is None:
        return None
    return val.rjust(width, "0" if val[0] in "01" else val[0])


def saif_read(path):
    text = open(path).read()
    s = {"duration": int(re.search(r"\(DURATION (\d+)\)", text).group(1)),
         "timescale": re.search(r"\(TIMESCALE ([^)]*)\)", text).group(1).strip(), "nets": {}}
    toks = re.findall(r"\(|\)|[^\s()]+", text)
    stack, i, inst = [], 0, []
    while i < len(toks):
        if toks[i] == "(" and i + 1 < len(toks):
            word = toks[i + 1]
            if word == "INSTANCE":
                inst.append(toks[i + 2])
                stack.append("I")
                i += 3
                continue
            if word in ("T0", "T1", "TX", "TC", "IG"):
                s["nets"][cur][word] = int(toks[i + 2])
                i += 4
                continue
            if word not in ("NET", "SAIFILE") and stack and stack[-1] == "N":
                cur = "/".join(inst + [word])
                s["nets"][cur] = {}
                stack.append("n")
                i += 2
                continue
            stack.append("N" if word == "NET" else "x")
            i += 2
            continue
        if toks[i] == ")":
            if stack:
                k = stack.pop()
                if k == "I":
                    inst.pop()
        i += 1
    return s
