#!/usr/bin/env bash
# The SystemC model's VCD writes every vector value at its full width
# (docs/TRACES.md "OpenSTA"): SystemC drops leading zeros, which IEEE 1364
# allows, but OpenSTA's read_vcd aligns a short value to the MSB (and spreads
# a one-digit value over every bit), so it counted toggles that never happened.
source "$(dirname "$0")/lib.sh"
$KEYMAC run --backend systemc --array 4x4 --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --key-seed 1 \
  --trace-window 0:400 --vcd "$TMP/sc.vcd" >/dev/null 2>&1
"$PY" - "$TMP/sc.vcd" <<'PY'
import sys
width, n, short = {}, 0, []
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] == "$var":
        width[f[3]] = int(f[2])
    elif line.startswith("b"):
        v, code = f[0][1:], f[1]
        n += 1
        if len(v) != width[code]:
            short.append(line.strip())
assert n > 100, f"only {n} vector values"
assert not short, f"{len(short)} of {n} vector values shorter than their $var width, e.g. {short[:3]}"
print(f"ok: all {n} vector values at full width")
PY
echo "sc_vcd_full_width ok"
