#!/usr/bin/env bash
# ctest rtl_synth_*: synthesize R x C keyed and plain and check the key's cost.
#   check_synth.sh R C OUTDIR [SIGNMAG]
# Expected flop difference, from the design (km_keyreg.sv), not from Yosys:
#   R*C key bits + ceil(log2 R) row-counter bits + ceil(log2 C) column-counter
#   bits + 1 sealed + 1 err      (a counter for a dimension of 1 is constant)
set -euo pipefail
rows=$1; cols=$2; outdir=$3; signmag=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
clog2() { local n=$1 w=0; while (( (1 << w) < n )); do w=$((w + 1)); done; echo $w; }
field() { awk -v k="\"$2\":" '$1 == k {gsub(",", "", $2); print $2}' "$1"; }
k1=$("$here/run_synth.sh" "${rows}x${cols}" 1 "$outdir" "$signmag")
k0=$("$here/run_synth.sh" "${rows}x${cols}" 0 "$outdir" "$signmag")
want=$(( rows * cols + $(clog2 "$rows") + $(clog2 "$cols") + 2 ))
f1=$(field "$k1" flops); f0=$(field "$k0" flops)
a1=$(field "$k1" area_proxy); a0=$(field "$k0" area_proxy)
echo "keyed: flops $f1 area_proxy $a1 | plain: flops $f0 area_proxy $a0"
echo "flop difference $((f1 - f0)), expected $want (R*C + clog2 R + clog2 C + 2)"
echo "area overhead $(awk -v a="$a1" -v b="$a0" 'BEGIN {printf "%.3f%%", 100 * (a - b) / b}')"
status=0
if (( f1 - f0 != want )); then echo "FAIL: flop difference"; status=1; fi
if (( a1 <= a0 )); then echo "FAIL: keyed area proxy not larger than plain"; status=1; fi
exit $status
