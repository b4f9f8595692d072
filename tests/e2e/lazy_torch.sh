#!/usr/bin/env bash
# libtorch is loaded only when a torch attack runs (docs/SECURITY.md "Cost of
# libtorch"): `keymac` does not depend on libtorch (directly or through any
# library it loads), and a missing attacks module is one line naming its path.
source "$(dirname "$0")/lib.sh"
if ldd "$KEYMAC" | grep -E "libtorch|libc10"; then fail "keymac maps libtorch at start-up"; fi
echo "ok: keymac loads $(ldd "$KEYMAC" | wc -l) shared objects, none of them libtorch"
mod="$(dirname "$KEYMAC")/keymac_torch.so"
if [ ! -e "$mod" ]; then echo "lazy_torch: keymac built without libtorch (no $mod): nothing more to check"; exit 0; fi
[ "$(ldd "$mod" | grep -c libtorch)" -gt 0 ] || fail "$mod does not link libtorch"
"$PY" "$KEYMAC_SRC/scripts/make_test_onnx.py" --kind mlp --seed 3 --out "$TMP/t.onnx" >/dev/null
$KEYMAC keygen --array 4x4 --out "$TMP/k.key" >/dev/null
expect_error "missing torch module" "cannot load the libtorch attacks module $TMP/none.so" -- \
  env KEYMAC_TORCH_MODULE="$TMP/none.so" $KEYMAC attack --model "$TMP/t.onnx" --array 4x4 --key "$TMP/k.key" --attack gradient --images 10 --queries 0 --limit 20 --no-progress
echo "lazy_torch ok"
