#!/usr/bin/env bash
# Markdown table of keyed-vs-plain overhead from run_synth.sh JSON summaries.
#   synth_table.sh OUTDIR      (pairs km_array_RxC_k0_* / _k1_* found there)
set -euo pipefail
dir=$1
field() { awk -v k="\"$2\":" '$1 == k {gsub(",", "", $2); print $2}' "$1"; }
echo "| geometry | datapath | flow | cells plain / keyed | flops plain / keyed (diff) | area proxy plain / keyed | overhead | cmos (Yosys) overhead | synth s (keyed) |"
echo "|---|---|---|---|---|---|---|---|---|"
for k1 in $(ls "$dir"/km_array_*_k1_*.json | sort -V); do
  k0=${k1/_k1_/_k0_}
  [[ -f $k0 ]] || continue
  base=$(basename "$k1" .json)
  geom=$(echo "$base" | sed -E 's/km_array_([0-9]+x[0-9]+)_.*/\1/')
  if [[ $base == *_s1* ]]; then dp="sign-magnitude"; else dp="two's complement"; fi
  if [[ $base == *_hier ]]; then flow="hierarchical"; else flow="flat"; fi
  c0=$(field "$k0" cells); c1=$(field "$k1" cells)
  f0=$(field "$k0" flops); f1=$(field "$k1" flops)
  a0=$(field "$k0" area_proxy); a1=$(field "$k1" area_proxy)
  t0=$(field "$k0" cmos_transistors); t1=$(field "$k1" cmos_transistors)
  s1=$(field "$k1" seconds)
  ov=$(awk -v a="$a1" -v b="$a0" 'BEGIN {printf "%.2f %%", 100 * (a - b) / b}')
  ovt=$(awk -v a="$t1" -v b="$t0" 'BEGIN {printf "%.2f %%", 100 * (a - b) / b}')
  echo "| $geom | $dp | $flow | $c0 / $c1 | $f0 / $f1 ($((f1 - f0))) | $a0 / $a1 | **$ov** | $ovt | $s1 |"
done
