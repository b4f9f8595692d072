#!/usr/bin/env bash
# Issue 12 through the CLI: DAG models built by tests/models/make_graph_models.py
# (in $KEYMAC_GRAPH_MODELS) lock into a version-2 package, run from it with the
# right key bit-identically to the int8 reference, and the chain-only float
# export refuses a DAG with one line.
source "$(dirname "$0")/lib.sh"
: "${KEYMAC_GRAPH_MODELS:?set KEYMAC_GRAPH_MODELS to the models directory}"
$KEYMAC keygen --array 8x8 --out "$TMP/k.key" >/dev/null
for m in residual transformer_op17; do
  $KEYMAC lock --model "$KEYMAC_GRAPH_MODELS/$m.onnx" --array 8x8 --key "$TMP/k.key" --out "$TMP/$m.kmpkg" --calib 200 >/dev/null
  "$PY" -c "import sys,json; d=open(sys.argv[1],'rb').read(); h=json.loads(d[16:16+int.from_bytes(d[8:16],'little')]); assert h['version']==2, h['version']" "$TMP/$m.kmpkg" \
    || fail "$m: package is not format version 2"
  $KEYMAC run --model "$TMP/$m.kmpkg" --key "$TMP/k.key" --array 8x8 --limit 200 --wrong-keys 1 --no-progress --json "$TMP/$m.json" >/dev/null
  [ "$(json "$TMP/$m.json" "r['right_key_vs_reference']['scores_bit_identical']")" = True ] || fail "$m: right key differs from the reference"
  echo "ok: $m package, right key = reference on 200 images"
done
expect_error export_dag "plain chains" -- $KEYMAC export --model "$TMP/residual.kmpkg" --out "$TMP/r.onnx"
