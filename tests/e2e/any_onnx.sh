#!/usr/bin/env bash
# Networks the test builds itself (different shapes, Flatten/Reshape/MatMul/AveragePool),
# exported by PyTorch: they import, quantize, lock, and the right key is bit-exact.
source "$(dirname "$0")/lib.sh"
for kind in mlp cnn mlp-matmul; do
  "$PY" "$KEYMAC_SRC/scripts/make_test_onnx.py" --kind "$kind" --seed 7 --out "$TMP/$kind.onnx"
  for geo in 16x16 3x5; do
    $KEYMAC run --model "$TMP/$kind.onnx" --array $geo --limit 300 --wrong-keys 2 --json "$TMP/$kind.json" --no-progress >/dev/null
    [ "$(json "$TMP/$kind.json" "r['right_key_vs_reference']['identical_predictions']")" = 300 ] || fail "$kind on $geo: right key differs"
    [ "$(json "$TMP/$kind.json" "r['right_key_vs_reference']['scores_bit_identical']")" = True ] || fail "$kind on $geo: scores differ"
    echo "ok: $kind on $geo: $(json "$TMP/$kind.json" "r['accuracy']")"
  done
done
