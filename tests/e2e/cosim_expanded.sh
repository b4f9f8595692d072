#!/usr/bin/env bash
# keymac cosim --key-mode expanded (ARCHITECTURE.md 11): the KeyMode = 1 RTL and
# the model identical every cycle on random layers (non-square 8x4) and on a
# shipped model's layers (4x4, locked with the master key); a fault in one
# PE's stored key bits makes it fail in that PE's column.
source "$(dirname "$0")/lib.sh"
out=$($KEYMAC cosim --key-mode expanded --array 8x4 --layers 3 --seed 9 | tail -1)
echo "$out" | grep -q "expanded-key 8x4 array: model and RTL identical" || fail "8x4: $out"
out=$($KEYMAC cosim --key-mode expanded --array 4x4 --model "$KEYMAC_SRC/models/fmnist_mlp.onnx" --limit 2 | tail -1)
echo "$out" | grep -q "expanded-key 4x4 array: model and RTL identical" || fail "4x4 MLP: $out"
rc=0
$KEYMAC cosim --key-mode expanded --array 4x4 --layers 2 --inject-key-fault 1,2 >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "an injected key-bit fault must make cosim exit 1 (got $rc)"
grep -q "mismatch at cycle" "$TMP/err" || fail "no mismatch message: $(cat "$TMP/err")"
grep -q "psum_data_o\[2\]" "$TMP/err" || fail "mismatch should be on column 2: $(cat "$TMP/err")"
fault=$(cat "$TMP/err")
expect_error "plain and expanded" "--plain" -- $KEYMAC cosim --key-mode expanded --plain --array 4x4
echo "cosim expanded ok: $fault"
