#!/usr/bin/env bash
# The main job on a slice of the test set: the report has every field the
# contract promises, and the right key reproduces the reference exactly.
source "$(dirname "$0")/lib.sh"
$KEYMAC run --limit 1000 --json "$TMP/r.json" --no-progress >"$TMP/r.txt"
cat "$TMP/r.txt"
for f in "r['accuracy']['float']" "r['accuracy']['reference']" "r['accuracy']['correct_key']" \
         "r['accuracy']['plain_array']" "r['accuracy']['wrong_key']['mean']" "r['accuracy']['wrong_key']['min']" \
         "r['accuracy']['wrong_key']['max']" "r['accuracy']['wrong_key']['n']" "r['cycles']['keyed']" \
         "r['cycles']['plain']" "r['array']['rows']" "r['array']['cols']" "r['key']['bits']" \
         "[(l['name'], l['M'], l['N'], l['K'], l['cycles'], l['utilisation']) for l in r['layers']]"; do
  json "$TMP/r.json" "$f" >/dev/null || fail "report lacks $f"
done
[ "$(json "$TMP/r.json" "r['accuracy']['wrong_key']['n']")" = 10 ] || fail "expected 10 wrong keys"
[ "$(json "$TMP/r.json" "r['right_key_vs_reference']['identical_predictions']")" = 1000 ] || fail "right key differs from reference"
[ "$(json "$TMP/r.json" "r['right_key_vs_reference']['scores_bit_identical']")" = True ] || fail "scores not bit-identical"
[ "$(json "$TMP/r.json" "r['key']['bits']")" = 256 ] || fail "a 16x16 array has 256 key bits"
[ "$(json "$TMP/r.json" "r['cycles']['keyed'] == r['cycles']['plain']")" = True ] || fail "the key must add no cycles"
grep -q "key bits" "$TMP/r.txt" || fail "text report lacks key storage"
echo "main job ok"
