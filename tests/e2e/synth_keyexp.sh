#!/usr/bin/env bash
# keymac synth --key-mode expanded: the Trivium unit's flip-flops equal the
# count of ARCHITECTURE.md 11.6 (80 master-key bits + 7-bit load counter +
# sealed + error + 288 state + ceil(log2(ceil(1152/C)+1))-bit warm-up counter
# + ready flag), computed here from that formula.
source "$(dirname "$0")/lib.sh"
export KEYMAC_CACHE="$TMP/cache"
C=4
$KEYMAC synth --array 2x$C --key-mode expanded --work-dir "$TMP/w" --json "$TMP/s.json" >/dev/null
warm=$(( (1152 + C - 1) / C ))
cnt=0; while (( (1 << cnt) < warm + 1 )); do cnt=$((cnt + 1)); done
want=$(( 80 + 7 + 2 + 288 + cnt + 1 ))
got=$(json "$TMP/s.json" "r['expanded']['flops']")
[ "$got" = "$want" ] || fail "km_keyexp Par $C: $got flip-flops, spec says $want"
[ "$(json "$TMP/s.json" "r['expanded']['per_pe_key_bits']")" = $((2 * 2 * C)) ] || fail "per-PE key bits not 2*R*C"
# The whole expanded array (KeyMode = 1) minus the plain one: the unit above,
# 2*R*C key bits beside the weight banks and C*(C-1)/2 flops skewing the row's
# key bits like the weights (ARCHITECTURE.md 11.4, 11.6).
R=2
extra=$(json "$TMP/s.json" "r['expanded_array']['flops'] - r['flops']['plain']")
want_array=$(( want + 2 * R * C + C * (C - 1) / 2 ))
[ "$extra" = "$want_array" ] || fail "expanded ${R}x$C array: $extra flip-flops more than plain, spec says $want_array"
[ "$(json "$TMP/s.json" "r['expanded_array']['storage_bits_spec']")" = "$want_array" ] || fail "storage_bits_spec differs from the spec count"
expect_error "bad key mode" "--key-mode" -- $KEYMAC synth --array 2x2 --key-mode serial
echo "synth --key-mode expanded ok (key unit $got flip-flops; expanded array $extra more than plain)"
