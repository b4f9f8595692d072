#!/usr/bin/env bash
# Synthesize the key-expansion unit km_keyexp (ARCHITECTURE.md section 11) with
# Yosys (generic gates, flattened, dffunmap as run_synth.sh) and write a JSON
# summary with the same fields and area proxy as run_synth.sh.
#   run_synth_keyexp.sh PAR OUTDIR        e.g. run_synth_keyexp.sh 16 /tmp/synth
# Env: YOSYS=path, TRANSISTORS_PER_FLOP=24. Prints the JSON path last.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 PAR OUTDIR" >&2
  exit 2
fi
par=$1; outdir=$2
[[ $par =~ ^[0-9]+$ && $par -ge 1 && $par -le 64 ]] || { echo "$0: PAR must be 1..64" >&2; exit 2; }
yosys=${YOSYS:-yosys}
tpf=${TRANSISTORS_PER_FLOP:-24}
here=$(cd "$(dirname "$0")" && pwd)
rtl=$(cd "$here/.." && pwd)
mkdir -p "$outdir"
out="$outdir/km_keyexp_p${par}"
cat > "$out.ys" <<YS
read_verilog -sv $rtl/km_keyexp.sv
chparam -set Par $par km_keyexp
synth -top km_keyexp -flatten
dffunmap
opt_clean
tee -o $out.stat.txt stat -top km_keyexp
tee -o $out.cmos.txt stat -top km_keyexp -tech cmos
YS
start=$(date +%s)
"$yosys" -q -l "$out.log" -s "$out.ys" > /dev/null
secs=$(( $(date +%s) - start ))
cells=$(awk '/Number of cells:/ {v = $4} END {print v}' "$out.stat.txt")
flops=$(awk '/Number of cells:/ {v = 0} $1 == "$_DFF_P_" {v = $2} END {print v + 0}' "$out.stat.txt")
cmos=$(awk '/Estimated number of transistors:/ {v = $5} END {print v}' "$out.cmos.txt")
for v in cells cmos; do
  [[ -n ${!v} ]] || { echo "$0: could not parse '$v' from Yosys output in $out.*" >&2; exit 1; }
done
comb=$(( cmos - 16 * flops ))
area=$(( comb + tpf * flops ))
version=$("$yosys" -V | head -1)
cat > "$out.json" <<JSON
{
  "par": $par,
  "cells": $cells,
  "flops": $flops,
  "comb_cells": $(( cells - flops )),
  "cmos_transistors": $cmos,
  "comb_transistors": $comb,
  "transistors_per_flop": $tpf,
  "area_proxy": $area,
  "seconds": $secs,
  "tool": "$version",
  "script": "$out.ys"
}
JSON
echo "$out.json"
