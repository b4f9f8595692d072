#!/usr/bin/env bash
# keymac synth on a small array writes the contract's JSON, caches it, and
# keymac run then reports the keyed-vs-plain area overhead.
source "$(dirname "$0")/lib.sh"
export KEYMAC_CACHE="$TMP/cache"
$KEYMAC synth --array 2x3 --json "$TMP/s.json"
for f in "r['area']['keyed']" "r['area']['plain']" "r['area']['overhead_pct']" "r['flops']['keyed']" "r['flops']['plain']" "r['key']['bits']"; do
  json "$TMP/s.json" "$f" >/dev/null || fail "synth JSON lacks $f"
done
[ "$(json "$TMP/s.json" "r['key']['bits']")" = 6 ] || fail "2x3 has 6 key bits"
# Keyed minus plain flip-flops = the key register of the spec: 6 key bits + 1 row + 2 column counter bits + sealed + error.
[ "$(json "$TMP/s.json" "r['flops']['extra']")" = 11 ] || fail "keyed-minus-plain flops != 11 (key register of a 2x3 array)"
[ "$(json "$TMP/s.json" "r['key']['register_bits_spec']")" = 11 ] || fail "spec key-register size != 11"
[ "$(json "$TMP/s.json" "r['flops']['keyed'] > r['flops']['plain'] and r['area']['keyed'] > r['area']['plain']")" = True ] || fail "keyed must cost more than plain"
$KEYMAC run --array 2x3 --limit 50 --wrong-keys 1 --json "$TMP/r.json" --no-progress >"$TMP/r.txt"
[ "$(json "$TMP/r.json" "r['area']['overhead_pct'] == $(json "$TMP/s.json" "r['area']['overhead_pct']")")" = True ] || fail "run does not report the cached area"
grep -q "area proxy" "$TMP/r.txt" || fail "text report lacks the area line"
echo "synth cli ok"
