#!/usr/bin/env bash
# The issue's acceptance numbers on the shipped MLP, all 10,000 test images.
source "$(dirname "$0")/lib.sh"
# A fixed key: the plain-array figure depends on which key locked the model.
$KEYMAC run --key-seed 3 --json "$TMP/full.json" --no-progress
j() { json "$TMP/full.json" "$1"; }
[ "$(j "r['images']")" = 10000 ] || fail "not the full test set"
[ "$(j "r['right_key_vs_reference']['identical_predictions']")" = 10000 ] || fail "right-key predictions differ from reference"
[ "$(j "abs(r['accuracy']['reference'] - r['accuracy']['float']) <= 1.0")" = True ] || fail "int8 reference more than 1 point from float"
[ "$(j "r['accuracy']['wrong_key']['mean'] <= 15")" = True ] || fail "wrong-key mean accuracy above 15%"
[ "$(j "r['accuracy']['plain_array'] <= 15")" = True ] || fail "plain-array accuracy above 15%"
echo "full test set ok"
