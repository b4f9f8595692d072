#!/usr/bin/env bash
# Synthesize km_array with Yosys (generic gates) and write a JSON summary.
#   run_synth.sh RxC KEYED OUTDIR [SIGNMAG] [KEYMODE]     e.g. run_synth.sh 8x8 1 /tmp/synth
# KEYMODE 1 (KEYED = 1 only): the expanded key mode (ARCHITECTURE.md 11), read
# with KM_KEY_EXPANDED and km_keyexp.sv; files are named ..._sS_kx.
# Env: FLATTEN=1 (default) flattens before synthesis (ABC optimises across PE
# boundaries); FLATTEN=0 keeps the hierarchy, so every PE instance costs
# exactly what one km_pe costs. YOSYS=path, TRANSISTORS_PER_FLOP=24.
# Writes OUTDIR/km_array_RxC_kK_sS[_hier].{ys,log,stat.txt,cmos.txt,json,v} (.v: the netlist).
# JSON fields:
#   cells            all cells after synth + dffunmap (gates and flops)
#   flops            $_DFF_P_ cells (one per register bit)
#   comb_cells       cells - flops
#   cmos_transistors Yosys `stat -tech cmos` estimate (it counts 16 per DFF)
#   comb_transistors cmos_transistors - 16 * flops (Yosys 0.23 prices $_DFF_P_
#                    at 16 transistors in `stat -tech cmos`; checked in docs/RTL.md)
#   area_proxy       comb_transistors + TRANSISTORS_PER_FLOP * flops
# TRANSISTORS_PER_FLOP = 24 (override with env): a static master-slave D flip-
# flop with local clock inverters is 20-24 transistors, about 5-6 NAND2
# equivalents; documented in docs/RTL.md. Yosys' own 16 per DFF is kept as
# cmos_transistors for reference.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 RxC KEYED OUTDIR [SIGNMAG] [KEYMODE]" >&2
  exit 2
fi
geom=$1; keyed=$2; outdir=$3; signmag=${4:-1}; keymode=${5:-0}
rows=${geom%x*}; cols=${geom#*x}
[[ $rows =~ ^[0-9]+$ && $cols =~ ^[0-9]+$ ]] || { echo "$0: bad geometry '$geom' (want RxC)" >&2; exit 2; }
[[ $keyed == 0 || $keyed == 1 ]] || { echo "$0: KEYED must be 0 or 1" >&2; exit 2; }
[[ $signmag == 0 || $signmag == 1 ]] || { echo "$0: SIGNMAG must be 0 or 1" >&2; exit 2; }
[[ $keymode == 0 || ( $keymode == 1 && $keyed == 1 ) ]] || { echo "$0: KEYMODE must be 0, or 1 with KEYED = 1" >&2; exit 2; }
yosys=${YOSYS:-yosys}
tpf=${TRANSISTORS_PER_FLOP:-24}
here=$(cd "$(dirname "$0")" && pwd)
rtl=$(cd "$here/.." && pwd)
mkdir -p "$outdir"
flatten=${FLATTEN:-1}
defines=""; extra=""; kxsuffix=""
if [[ $keymode == 1 ]]; then
  defines="-DKM_KEY_EXPANDED"; extra="$rtl/km_keyexp.sv"; kxsuffix="_kx"
fi
if [[ $flatten == 1 ]]; then
  out="$outdir/km_array_${rows}x${cols}_k${keyed}_s${signmag}${kxsuffix}"
  synth_opts="-flatten"
else
  out="$outdir/km_array_${rows}x${cols}_k${keyed}_s${signmag}${kxsuffix}_hier"
  synth_opts=""
fi
# The shared parameters' SV package, generated from params/keymac_params.json.
"${CMAKE:-cmake}" -DIN="$rtl/../params/keymac_params.json" -DOUT_DIR="$outdir/params_gen" \
  -P "$rtl/../params/gen_params.cmake" > /dev/null
sed -e "s|@PARAMS_SV@|$outdir/params_gen/km_params_pkg.sv|g" -e "s|@SYNTH_OPTS@|$synth_opts|g" -e "s|@RTL@|$rtl|g" -e "s|@ROWS@|$rows|g" -e "s|@COLS@|$cols|g" \
    -e "s|@KEYED@|$keyed|g" -e "s|@SIGNMAG@|$signmag|g" -e "s|@OUT@|$out|g" \
    -e "s|@DEFINES@|$defines|g" -e "s|@EXTRA_SV@|$extra|g" -e "s|@KEYMODE@|$keymode|g" \
    "$here/synth.ys.in" > "$out.ys"
start=$(date +%s)
"$yosys" -q -l "$out.log" -s "$out.ys" > /dev/null
secs=$(( $(date +%s) - start ))

# The last block of `stat` is the whole design (with the hierarchy kept, the
# "design hierarchy" totals come last).
cells=$(awk '/Number of cells:/ {v = $4} END {print v}' "$out.stat.txt")
flops=$(awk '/Number of cells:/ {v = 0} $1 == "$_DFF_P_" {v = $2} END {print v + 0}' "$out.stat.txt")
cmos=$(awk '/Estimated number of transistors:/ {v = $5} END {print v}' "$out.cmos.txt")
comb=$(( cmos - 16 * flops ))
for v in cells cmos; do
  [[ -n ${!v} ]] || { echo "$0: could not parse '$v' from Yosys output in $out.*" >&2; exit 1; }
done
area=$(( comb + tpf * flops ))
version=$("$yosys" -V | head -1)
cat > "$out.json" <<JSON
{
  "rows": $rows,
  "cols": $cols,
  "keyed": $keyed,
  "signmag": $signmag,
  "keymode": $keymode,
  "flatten": $flatten,
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
