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
expect_error "bad key mode" "--key-mode" -- $KEYMAC synth --array 2x2 --key-mode serial
echo "synth --key-mode expanded ok ($got flip-flops)"
