#!/usr/bin/env bash
# Time is real in every waveform (docs/TRACES.md, "Time in waveforms"):
#  1. SystemC VCD: timescale 1 ps, cycle t at t x P (P from --clock-mhz), the
#     file spans exactly the window; `keymac saif --scope km_array` of it has
#     exactly the direct SAIF's DURATION and per-net counts (T0/T1/TC).
#  2. RTL VCD: cycle t at t x P: key_sealed_o is 0 at (RC-1) x P and 1 at RC x P
#     (the key load takes RC cycles from global cycle 0); the file spans the window.
#  3. Co-simulation: the cycle in the mismatch message is the cycle at which the
#     waveform shows the RTL's wrong value (time cycle x P).
#  4. gtkwave's vcd2fst / fst2vcd keep every timestamp.
source "$(dirname "$0")/lib.sh"
T="$KEYMAC_SRC/tests/e2e/vcd_tools.py"
common=(--array 4x4 --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --clock-mhz 500)
P=2000  # ps per cycle at 500 MHz
A=40; B=700

# 1. SystemC VCD window vs the direct SAIF of the same cycles.
$KEYMAC run "${common[@]}" --backend systemc --key-seed 7 --vcd "$TMP/sc.vcd" --saif "$TMP/direct.saif" \
  --trace-window $A:$B --json "$TMP/r.json" >"$TMP/out" 2>"$TMP/err"
cat "$TMP/err"
grep -q "wrote $TMP/sc.vcd (cycles $A..$B of " "$TMP/err" || fail "no 'wrote FILE (cycles A..B of N' line for the VCD"
grep -q "warning: $TMP/sc.vcd covers only cycles $A..$B" "$TMP/err" || fail "no partial-window warning"
$KEYMAC saif "$TMP/sc.vcd" -o "$TMP/conv.saif" --scope km_array
"$PY" - "$T" "$TMP/sc.vcd" "$TMP/direct.saif" "$TMP/conv.saif" "$TMP/r.json" $A $B $P <<'PY'
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("vt", sys.argv[1]); vt = importlib.util.module_from_spec(spec); spec.loader.exec_module(vt)
vcd, d, c = vt.vcd_read(sys.argv[2]), vt.saif_read(sys.argv[3]), vt.saif_read(sys.argv[4])
r = json.load(open(sys.argv[5]))
A, B, P = map(int, sys.argv[6:9])
rc = r["key"]["load_cycles"]
assert B < rc + r["cycles"]["keyed"], "window must lie inside the first batch"
assert vcd["timescale"] == "1ps", vcd["timescale"]
assert vcd["times"][0] == A * P and vcd["times"][-1] == (B + 1) * P, (vcd["times"][0], vcd["times"][-1])
assert d["duration"] == (B - A + 1) * P == c["duration"], (d["duration"], c["duration"])
assert d["timescale"] == c["timescale"] == "1 ps", (d["timescale"], c["timescale"])
assert len(d["nets"]) > 50
for net, st in d["nets"].items():
    assert net in c["nets"], net + " missing from the converted SAIF"
    for f in ("T0", "T1", "TX", "TC"):
        assert c["nets"][net][f] == st[f], (net, f, c["nets"][net][f], st[f])
toggles = sum(st["TC"] for st in d["nets"].values())
assert toggles > 1000, toggles
print(f"ok: SystemC VCD window {A}..{B} at {P} ps: DURATION {d['duration']} and {len(d['nets'])} nets' T0/T1/TX/TC "
      f"({toggles} toggles) equal the direct SAIF")
# The key register seals after RC key bits: at RC x P in the SystemC waveform too (if in the window).
if A < rc <= B:
    assert vt.value_at(vcd, "km_array.key_sealed_o", (rc - 1) * P) == "0" and vt.value_at(vcd, "km_array.key_sealed_o", rc * P) == "1"
PY

# 2. RTL VCD: time of cycle t is t x P.
$KEYMAC run "${common[@]}" --backend rtl --key-seed 7 --vcd "$TMP/rtl.vcd" --trace-window 0:$B >/dev/null 2>"$TMP/err"
grep -q "wrote $TMP/rtl.vcd (cycles 0..$B of " "$TMP/err" || { cat "$TMP/err"; fail "no 'wrote' line for the RTL VCD"; }
"$PY" - "$T" "$TMP/rtl.vcd" $B $P <<'PY'
import sys, importlib.util
spec = importlib.util.spec_from_file_location("vt", sys.argv[1]); vt = importlib.util.module_from_spec(spec); spec.loader.exec_module(vt)
v = vt.vcd_read(sys.argv[2]); B, P = int(sys.argv[3]), int(sys.argv[4])
rc = 16  # 4x4 key bits
assert v["timescale"] == "1ps", v["timescale"]
assert v["times"][0] == 0 and v["times"][-1] == (B + 1) * P, (v["times"][0], v["times"][-1])
s = "km_array.key_sealed_o"
assert vt.value_at(v, s, (rc - 1) * P) == "0", vt.value_at(v, s, (rc - 1) * P)
assert vt.value_at(v, s, rc * P) == "1", vt.value_at(v, s, rc * P)
print(f"ok: RTL VCD at {P} ps/cycle: key_sealed_o 0 at cycle {rc-1} ({(rc-1)*P} ps), 1 at cycle {rc} ({rc*P} ps); ends at {(B+1)*P}")
PY

# 3. Co-simulation: the message's cycle is where the waveform shows the wrong value.
rc=0
$KEYMAC cosim --array 4x4 --layers 2 --inject-key-fault 1,2 --clock-mhz 250 --wave "$TMP/mm.vcd" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "cosim with a key fault: exit $rc"
cat "$TMP/err"
"$PY" - "$T" "$TMP/mm.vcd" "$TMP/err" 4000 <<'PY'
import re, sys, importlib.util
spec = importlib.util.spec_from_file_location("vt", sys.argv[1]); vt = importlib.util.module_from_spec(spec); spec.loader.exec_module(vt)
v = vt.vcd_read(sys.argv[2]); msg = open(sys.argv[3]).read(); P = int(sys.argv[4])
m = re.search(r"mismatch at cycle (\d+) .*?: psum_data_o\[(\d+)\] .* is (-?\d+) in the model but (-?\d+) in the RTL", msg)
assert m, msg
cyc, col, model, rtl = map(int, m.groups())
bits = vt.value_at(v, "km_array.psum_data_o", cyc * P)
def word(b, c):
    w = int(b[len(b) - 32 * (c + 1): len(b) - 32 * c], 2)
    return w - (1 << 32) if w >= 1 << 31 else w
assert word(bits, col) == rtl, (word(bits, col), rtl)
assert word(bits, col) != model
# One cycle earlier the RTL still agreed with what the model had then (no earlier mismatch was reported).
print(f"ok: mismatch at cycle {cyc}: the waveform shows psum_data_o[{col}] = {rtl} (model {model}) at {cyc} x {P} ps = {cyc*P} ps")
PY

# 4. vcd2fst / fst2vcd keep the times.
if command -v vcd2fst >/dev/null && command -v fst2vcd >/dev/null; then
  vcd2fst "$TMP/rtl.vcd" "$TMP/rtl.fst" >/dev/null
  fst2vcd "$TMP/rtl.fst" >"$TMP/rt.vcd" 2>/dev/null
  "$PY" - "$T" "$TMP/rtl.vcd" "$TMP/rt.vcd" <<'PY'
import sys, importlib.util
spec = importlib.util.spec_from_file_location("vt", sys.argv[1]); vt = importlib.util.module_from_spec(spec); spec.loader.exec_module(vt)
a, b = vt.vcd_read(sys.argv[2]), vt.vcd_read(sys.argv[3])
assert a["timescale"] == b["timescale"], (a["timescale"], b["timescale"])
assert sorted(set(a["times"])) == sorted(set(b["times"])), "timestamps differ after vcd2fst/fst2vcd"
for n in ("km_array.key_sealed_o", "km_array.psum_valid_o"):
    for t in a["times"][::37]:
        assert vt.value_at(a, n, t) == vt.value_at(b, n, t), (n, t)
print(f"ok: vcd2fst + fst2vcd keep the timescale ({a['timescale']}) and all {len(set(a['times']))} timestamps")
PY
else
  fail "vcd2fst/fst2vcd (gtkwave) not installed"
fi
echo "waveform_time ok"
