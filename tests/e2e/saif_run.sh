#!/usr/bin/env bash
# `keymac run --saif`: the km_array-boundary SAIF of the right-key run's first
# batch (cycle model), honouring --trace-window and the size guard; with
# --backend rtl (KEYMAC_HAS_RTL=1) the SAIF of the RTL hierarchy. Each SAIF
# must parse (S-expression, header fields present, nets with T0+T1+TX = DURATION).
source "$(dirname "$0")/lib.sh"
$KEYMAC keygen --array 4x4 --out "$TMP/k.key" >/dev/null
run() { $KEYMAC run --array 4x4 --key "$TMP/k.key" --limit 20 --batch 10 --wrong-keys 0 --no-progress "$@" >/dev/null; }
check_saif() {  # FILE DURATION TIMESCALE MIN_INSTANCES
  "$PY" - "$@" <<'PY'
import re, sys
path, duration, timescale, min_inst = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
toks = re.findall(r'\(|\)|"[^"]*"|(?:\\.|[^\s()"])+', open(path).read())
def parse(i):
    if toks[i] != "(":
        return toks[i], i + 1
    i += 1; out = []
    while toks[i] != ")":
        n, i = parse(i); out.append(n)
    return out, i + 1
tree, end = parse(0)
assert end == len(toks), "trailing text after the SAIFILE"
assert tree[0] == "SAIFILE", tree[0]
hdr = {n[0]: n[1:] for n in tree[1:] if isinstance(n, list) and n[0] != "INSTANCE"}
for h in ("SAIFVERSION", "DIRECTION", "DESIGN", "DATE", "VENDOR", "PROGRAM_NAME", "VERSION", "DIVIDER", "TIMESCALE", "DURATION"):
    assert h in hdr, f"{path}: header {h} missing"
assert hdr["SAIFVERSION"] == ['"2.0"'] and hdr["DIRECTION"] == ['"backward"'], hdr
assert " ".join(hdr["TIMESCALE"]) == timescale, hdr["TIMESCALE"]
assert hdr["DURATION"] == [duration], hdr["DURATION"]
tops = [n for n in tree[1:] if isinstance(n, list) and n[0] == "INSTANCE"]
assert [t[1] for t in tops] == ["km_array"], [t[1] for t in tops]
insts = nets = 0
def walk(inst):
    global insts, nets
    insts += 1
    for n in inst[2:]:
        if n[0] == "INSTANCE": walk(n)
        elif n[0] == "NET":
            for net in n[1:]:
                v = {f[0]: int(f[1]) for f in net[1:]}
                assert v["T0"] + v["T1"] + v["TX"] == int(duration), (net[0], v)
                nets += 1
walk(tops[0])
assert insts >= min_inst and nets > 0, (insts, nets)
print(f"ok: {path}: {insts} instances, {nets} nets")
PY
}
# Direct (cycle model): window 0:500 = 501 cycles of 1000 ps; boundary nets only.
run --saif "$TMP/d.saif" --trace-window 0:500
check_saif "$TMP/d.saif" 501000 "1 ps" 1
grep -q 'psum_valid_o' "$TMP/d.saif" || fail "no psum_valid_o in the boundary SAIF"
# The size guard refuses before creating anything; --force-trace writes it.
expect_error "saif limit" "--trace-limit-mb" -- run --saif "$TMP/big.saif" --trace-limit-mb 0
[ ! -e "$TMP/big.saif" ] || fail "a refused SAIF was created"
run --saif "$TMP/big.saif" --trace-limit-mb 0 --force-trace
check_saif "$TMP/big.saif" "$(sed -n 's/^(DURATION \([0-9]*\))$/\1/p' "$TMP/big.saif")" "1 ps" 1
if [ "${KEYMAC_HAS_RTL:-0}" = 1 ]; then
  # RTL hierarchy: same 501 cycles of 1000 ps (--clock-mhz 1000); km_array/g_row[r]/g_col[c]/u_pe/...
  run --backend rtl --saif "$TMP/r.saif" --trace-window 0:500
  check_saif "$TMP/r.saif" 501000 "1 ps" 17
  # --clock-mhz sets the cycle: 500 MHz = 2000 ps, so DURATION doubles.
  run --backend rtl --saif "$TMP/r2.saif" --trace-window 0:500 --clock-mhz 500
  check_saif "$TMP/r2.saif" 1002000 "1 ps" 17
  # Yosys-style names: the PEs are single instances "g_row[r].g_col[c].u_pe".
  run --backend rtl --saif "$TMP/r3.saif" --trace-window 0:500 --saif-names yosys-hier
  grep -q '(INSTANCE g_row\\\[0\\\]\.g_col\\\[0\\\]\.u_pe' "$TMP/r3.saif" || fail "no Yosys-named PE instance"
  grep -q '(INSTANCE u_pe' "$TMP/r.saif" || fail "no PE instance in the RTL SAIF"
  [ ! -e "$TMP/r.saif.vcd.tmp" ] || fail "temporary VCD left behind"
fi
echo "saif_run ok"
