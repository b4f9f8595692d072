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
# --flow hier (hierarchy kept, the flow docs/KEYEXP.md uses up to 32x32): the
# same spec counts hold, the key register's for the periodic array (km_keyreg.sv:
# R*C + clog2 R + clog2 C + sealed + error) and the unit above inside the
# expanded array, where its own km_keyexp block is reported as "key_unit".
$KEYMAC synth --array 2x$C --key-mode expanded --flow hier --work-dir "$TMP/wh" --json "$TMP/h.json" >"$TMP/h.txt"
[ "$(json "$TMP/h.json" "r['flow'] + ' ' + r['area']['flow']")" = "hierarchical hierarchical" ] || fail "--flow hier not recorded"
[ "$(json "$TMP/h.json" "r['flops']['extra']")" = $(( R * C + 1 + 2 + 2 )) ] || fail "hierarchical periodic ${R}x$C: key register flops differ from km_keyreg.sv's count"
hx=$(json "$TMP/h.json" "r['expanded_array']['flops'] - r['flops']['plain']")
[ "$hx" = "$want_array" ] || fail "hierarchical expanded ${R}x$C array: $hx flip-flops more than plain, spec says $want_array"
[ "$(json "$TMP/h.json" "r['expanded_array']['key_unit']['flops']")" = "$want" ] || fail "hierarchical key unit block: flip-flops differ from the spec count $want"
[ "$(json "$TMP/h.json" "0 < r['expanded_array']['key_unit']['area_proxy'] < r['expanded_array']['area_proxy'] - r['area']['plain']")" = True ] \
  || fail "the key unit's area must be a positive part of the expanded array's overhead"
grep -q "hierarchical flow" "$TMP/h.txt" || fail "text report does not name the flow"
expect_error "bad flow" "--flow" -- $KEYMAC synth --array 2x2 --flow fast
# rtl/synth/synth_cost_table.sh (the docs/KEYEXP.md "Area" table) over both
# runs' files: one row per flow, its design flop counts met (no MISMATCH), the
# cipher column filled from the km_keyexp block (hier) or the unit alone (flat).
tbl=$(cat <(bash "$KEYMAC_SRC/rtl/synth/synth_cost_table.sh" "$TMP/w") <(bash "$KEYMAC_SRC/rtl/synth/synth_cost_table.sh" "$TMP/wh"))
for flow in flat hierarchical; do
  row=$(echo "$tbl" | grep "^| 2×$C | sign-magnitude | $flow |") || fail "cost table has no $flow 2x$C row"
  echo "$row" | grep -q "| $want_array (" || fail "cost table $flow: expanded flop count not $want_array"
  echo "$row" | grep -q "/ $want / " || fail "cost table $flow: cipher flops not $want"
done
echo "$tbl" | grep -q MISMATCH && fail "cost table reports a flop count that differs from the design"
# keymac run reports the key mode's own area overhead from the cache (the
# last synth above, hierarchical): an expanded run the expanded array's over
# plain, a periodic run the key register's; each equals synth's own figure.
for mode in expanded periodic; do
  $KEYMAC run --array 2x$C --key-mode $mode --limit 16 --batch 16 --wrong-keys 0 --no-progress --json "$TMP/run_$mode.json" >"$TMP/run_$mode.txt"
done
[ "$(json "$TMP/run_expanded.json" "r['area']['overhead_pct'] == $(json "$TMP/h.json" "r['expanded_array']['overhead_pct']") and r['area']['mode'] == 'expanded'")" = True ] \
  || fail "run --key-mode expanded does not report the expanded array's area overhead"
[ "$(json "$TMP/run_periodic.json" "r['area']['overhead_pct'] == $(json "$TMP/h.json" "r['area']['overhead_pct']") and 'mode' not in r['area']")" = True ] \
  || fail "run --key-mode periodic does not report the periodic key's area overhead"
grep -q "expanded key overhead" "$TMP/run_expanded.txt" || fail "run's text report does not name the expanded overhead"
echo "synth --key-mode expanded ok (key unit $got flip-flops; expanded array $extra more than plain, flat and hierarchical)"
