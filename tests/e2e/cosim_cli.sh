#!/usr/bin/env bash
# keymac cosim: identical on random layers and on a shipped model's layers;
# an injected key fault makes it fail, name the cycle and signal, and write a waveform.
source "$(dirname "$0")/lib.sh"
$KEYMAC cosim --array 8x4 --layers 3 --seed 9 | tail -1
$KEYMAC cosim --array 4x4 --model "$KEYMAC_SRC/models/fmnist_cnn.onnx" --limit 2 | tail -1
rc=0
$KEYMAC cosim --array 4x4 --layers 2 --inject-key-fault 1,2 --wave "$TMP/mm.vcd" >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "an injected fault must make cosim exit 1 (got $rc)"
grep -q "mismatch at cycle" "$TMP/err" || fail "no mismatch message: $(cat "$TMP/err")"
grep -q "psum_data_o\[2\]" "$TMP/err" || fail "mismatch should be on column 2: $(cat "$TMP/err")"
[ -s "$TMP/mm.vcd" ] || fail "no waveform written"
echo "cosim cli ok: $(cat "$TMP/err")"
