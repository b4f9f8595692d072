#!/usr/bin/env bash
# keymac run --backend systemc --timing cycle (memory system and register-level
# array stepped every cycle) gives the same accuracies, per-layer cycles,
# stalls and counters as the fold-level default, on the shipped MLP and CNN
# with --finite-memory, for a slice of the test set.
source "$(dirname "$0")/lib.sh"
for model in mlp cnn; do
  $KEYMAC keygen --array 8x8 --out "$TMP/$model.key" >/dev/null
  for timing in fold cycle; do
    $KEYMAC run --backend systemc --finite-memory --timing $timing --model "$KEYMAC_SRC/models/fmnist_$model.onnx" \
      --array 8x8 --key "$TMP/$model.key" --calib 200 --limit 128 --batch 64 --wrong-keys 0 --seed 3 \
      --no-progress --json "$TMP/${model}_$timing.json" >/dev/null
  done
  "$PY" - "$TMP/${model}_fold.json" "$TMP/${model}_cycle.json" "$model" <<'PY'
import json, sys
f, c = (json.load(open(p)) for p in sys.argv[1:3])
assert f["accuracy"] == c["accuracy"], (f["accuracy"], c["accuracy"])
assert f["right_key_vs_reference"] == c["right_key_vs_reference"]
assert c["right_key_vs_reference"]["scores_bit_identical"]
assert f["layers"] == c["layers"], "per-layer cycles/stalls/counters differ"
assert f["cycles"] == c["cycles"] and f["backend_totals"] == c["backend_totals"]
assert c["backend_totals"]["stall_cycles"] > 0, "finite memory should stall"
print(sys.argv[3], "fold == cycle:", c["cycles"]["keyed_total"], "cycles,", c["backend_totals"]["stall_cycles"], "stalls")
PY
done
