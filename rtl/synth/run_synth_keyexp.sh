#!/usr/bin/env bash
# Synthesize the key-expansion unit km_keyexp (ARCHITECTURE.md section 11) with
# Yosys (generic gates, flattened, dffunmap as run_synth.sh) and write a JSON
# summary: "par", then the same fields and area proxy as run_synth.sh
# (rtl/synth/summary.sh).
#   run_synth_keyexp.sh PAR OUTDIR        e.g. run_synth_keyexp.sh 16 /tmp/synth
# Env: YOSYS=path, TRANSISTORS_PER_FLOP=24. Prints the JSON path last.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 PAR OUTDIR" >&2
  exit 2
fi
par=$1; outdir=$2
[[ $par =~ ^[0-9]+$ && $par -ge 1 && $par -le 64 ]] || { echo "$0: PAR must be 1..64" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/summary.sh"
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
synth_run "$out"
synth_summary "$out" "  \"par\": $par,"
echo "$out.json"
