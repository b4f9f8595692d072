#!/usr/bin/env bash
# Markdown table plain vs periodic vs expanded key from run_synth.sh summaries.
#   synth_cost_table.sh OUTDIR
# One row per geometry / datapath / flow for which OUTDIR holds all three of
# km_array_RxC_k0_sS[_hier].json, _k1_sS[_hier].json and _k1_sS_kx[_hier].json.
# Flip-flop differences are checked against the design's counts, computed here
# (not read from Yosys):
#   periodic - plain = R*C + clog2 R + clog2 C + 2        (km_keyreg.sv)
#   expanded - plain = 2*R*C + C*(C-1)/2 + unit            (ARCHITECTURE.md 11.6)
#   unit = 80 + 7 + 2 + 288 + clog2(ceil(1152/C) + 1) + 1  (km_keyexp.sv)
# "cipher" = the km_keyexp block of a hierarchical expanded array, or for a
# flat one km_keyexp_pC.json (run_synth_keyexp.sh) from OUTDIR; its share is
# of the expanded array's area proxy. A mismatching flop count is marked "MISMATCH".
set -euo pipefail
dir=$1
field() { awk -v k="\"$2\":" '$1 == k {gsub(",", "", $2); print $2}' "$1"; }
unit_field() { sed -n 's/.*"key_unit": {\(.*\)}.*/\1/p' "$1" | tr ',' '\n' | awk -v k="\"$2\":" '$1 == k {print $2}'; }
clog2() { local n=$1 w=0; while (( (1 << w) < n )); do w=$((w + 1)); done; echo $w; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f %%", 100 * (a - b) / b}'; }
num() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }   # 1234567 -> 1,234,567
echo "| array | datapath | flow | plain: cells / flops / area | periodic: cells / flops / area (overhead) | expanded: cells / flops / area (overhead) | flops periodic − plain (design) | flops expanded − plain (design) | cipher: cells / flops / area (share of expanded) | synth s plain / periodic / expanded |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for kx in $(ls "$dir"/km_array_*_k1_s*_kx*.json 2>/dev/null | sort -V); do
  base=$(basename "$kx" .json)
  k1="$dir/${base/_kx/}.json"; k0="$dir/$(basename "${k1/_k1_/_k0_}")"
  [[ -f $k1 && -f $k0 ]] || continue
  r=$(field "$kx" rows); c=$(field "$kx" cols)
  if [[ $(field "$kx" signmag) == 1 ]]; then dp="sign-magnitude"; else dp="two's complement"; fi
  if [[ $(field "$kx" flatten) == 1 ]]; then flow="flat"; else flow="hierarchical"; fi
  declare -A C F A S
  for m in k0 k1 kx; do
    f=${!m}
    C[$m]=$(field "$f" cells); F[$m]=$(field "$f" flops); A[$m]=$(field "$f" area_proxy); S[$m]=$(field "$f" seconds)
  done
  want1=$(( r * c + $(clog2 "$r") + $(clog2 "$c") + 2 ))
  unit=$(( 80 + 7 + 2 + 288 + $(clog2 $(( (1152 + c - 1) / c + 1 ))) + 1 ))
  wantx=$(( 2 * r * c + c * (c - 1) / 2 + unit ))
  d1=$(( F[k1] - F[k0] )); dx=$(( F[kx] - F[k0] ))
  m1="$d1 ($want1)"; (( d1 == want1 )) || m1="$m1 MISMATCH"
  mx="$dx ($wantx = $((2 * r * c)) + $((c * (c - 1) / 2)) + $unit)"; (( dx == wantx )) || mx="$mx MISMATCH"
  if [[ $flow == hierarchical ]]; then
    uc=$(unit_field "$kx" cells); uf=$(unit_field "$kx" flops); ua=$(unit_field "$kx" area_proxy)
  elif [[ -f $dir/km_keyexp_p$c.json ]]; then
    uc=$(field "$dir/km_keyexp_p$c.json" cells); uf=$(field "$dir/km_keyexp_p$c.json" flops); ua=$(field "$dir/km_keyexp_p$c.json" area_proxy)
  else
    uc=""
  fi
  if [[ -n $uc ]]; then
    cipher="$(num "$uc") / $uf / $(num "$ua") ($(awk -v a="$ua" -v b="${A[kx]}" 'BEGIN {printf "%.2f %%", 100 * a / b}'))"
    (( uf == unit )) || cipher="$cipher MISMATCH"
  else
    cipher="(not run)"
  fi
  echo "| ${r}×${c} | $dp | $flow | $(num "${C[k0]}") / $(num "${F[k0]}") / $(num "${A[k0]}") |" \
       "$(num "${C[k1]}") / $(num "${F[k1]}") / $(num "${A[k1]}") (**$(pct "${A[k1]}" "${A[k0]}")**) |" \
       "$(num "${C[kx]}") / $(num "${F[kx]}") / $(num "${A[kx]}") (**$(pct "${A[kx]}" "${A[k0]}")**) |" \
       "$m1 | $mx | $cipher | ${S[k0]} / ${S[k1]} / ${S[kx]} |"
done
