#!/usr/bin/env bash
# Synthesize km_array with Yosys (generic gates) and write a JSON summary.
#   run_synth.sh RxC KEYED OUTDIR [SIGNMAG] [KEYMODE]     e.g. run_synth.sh 8x8 1 /tmp/synth
# KEYMODE 1 (KEYED = 1 only): the expanded key mode (ARCHITECTURE.md 11), read
# with KM_KEY_EXPANDED and km_keyexp.sv; files are named ..._sS_kx.
# Env: FLATTEN=1 (default) flattens before synthesis (ABC optimises across PE
# boundaries); FLATTEN=0 keeps the hierarchy, so every PE instance costs
# exactly what one km_pe costs. YOSYS=path, TRANSISTORS_PER_FLOP=24.
# Writes OUTDIR/km_array_RxC_kK_sS[_kx][_hier].{ys,log,stat.txt,cmos.txt,json,v}
# (.v: the netlist). JSON: rows, cols, keyed, signmag, keymode, flatten, then
# the common fields of summary.sh (cells, flops, area_proxy, ...); with
# KEYMODE 1 and FLATTEN=0 also "key_unit" {cells, flops, cmos_transistors,
# area_proxy}: the km_keyexp module's own share of the array (the cipher).
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
tpf=${TRANSISTORS_PER_FLOP:-24}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/summary.sh"
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
synth_run "$out"
if [[ $keymode == 1 && $flatten == 0 ]]; then
  read -r kc kf kt < <(synth_module "$out" 'km_keyexp' || true)
  [[ -n ${kt:-} ]] || { echo "$0: no km_keyexp block in $out.stat.txt" >&2; exit 1; }
  key_unit="  \"key_unit\": {\"cells\": $kc, \"flops\": $kf, \"cmos_transistors\": $kt, \"area_proxy\": $(( kt - 16 * kf + tpf * kf ))},"
fi
synth_summary "$out" "  \"rows\": $rows,
  \"cols\": $cols,
  \"keyed\": $keyed,
  \"signmag\": $signmag,
  \"keymode\": $keymode,
  \"flatten\": $flatten,${key_unit:+
$key_unit}"
echo "$out.json"
