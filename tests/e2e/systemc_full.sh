#!/usr/bin/env bash
# The shipped MLP over the full test set through the SystemC backend gives the
# same accuracies, predictions and cycles as the functional backend.
source "$(dirname "$0")/lib.sh"
$KEYMAC keygen --array 16x16 --out "$TMP/k.key" >/dev/null
for be in functional systemc; do
  $KEYMAC run --backend $be --key "$TMP/k.key" --seed 11 --json "$TMP/$be.json" --no-progress >/dev/null
done
"$PY" - "$TMP" <<'PY'
import json, sys
f, s = (json.load(open(f"{sys.argv[1]}/{b}.json")) for b in ("functional", "systemc"))
assert f["images"] == s["images"] == 10000
assert f["accuracy"] == s["accuracy"], (f["accuracy"], s["accuracy"])
assert f["right_key_vs_reference"] == s["right_key_vs_reference"] and s["right_key_vs_reference"]["identical_predictions"] == 10000
assert f["cycles"] == s["cycles"], (f["cycles"], s["cycles"])
print("systemc full test set ok:", s["accuracy"]["correct_key"], s["cycles"]["keyed_total"])
PY
