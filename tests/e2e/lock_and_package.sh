#!/usr/bin/env bash
# keygen -> lock -> run the package with the right key, a wrong key, refused elsewhere.
source "$(dirname "$0")/lib.sh"
CNN="$KEYMAC_SRC/models/fmnist_cnn.onnx"
$KEYMAC keygen --array 8x4 --out "$TMP/k.key"
$KEYMAC keygen --array 8x4 --out "$TMP/other.key"
$KEYMAC lock --model "$CNN" --array 8x4 --key "$TMP/k.key" --out "$TMP/cnn.kmpkg"
# The package holds no float weights and not the key text.
# (All 8 rows: a few rows of one hex digit each occur in any binary by chance.)
! grep -qF "$(sed -n '3,$p' "$TMP/k.key" | tr -d '\n')" "$TMP/cnn.kmpkg" || fail "key rows found in package"
$KEYMAC run --model "$TMP/cnn.kmpkg" --key "$TMP/k.key" --limit 500 --wrong-keys 3 --json "$TMP/p.json" --no-progress
[ "$(json "$TMP/p.json" "r['right_key_vs_reference']['identical_predictions']")" = 500 ] || fail "package with right key differs from reference"
[ "$(json "$TMP/p.json" "r['accuracy']['float'] is None")" = True ] || fail "a package has no float model"
[ "$(json "$TMP/p.json" "r['accuracy']['correct_key'] > 80")" = True ] || fail "right-key accuracy too low"
# Running with another key of the right geometry: the reference is then the wrongly-unlocked model.
$KEYMAC run --model "$TMP/cnn.kmpkg" --key "$TMP/other.key" --limit 500 --wrong-keys 0 --json "$TMP/o.json" --no-progress >/dev/null
[ "$(json "$TMP/o.json" "r['accuracy']['correct_key'] < 40")" = True ] || fail "a wrong key still gives high accuracy"
echo "lock/package ok"
