#!/usr/bin/env bash
# Ctrl-C during a long run: keymac stops at the next batch, prints and writes
# the finished part marked incomplete, and exits 130 (no crash, no fake "complete").
source "$(dirname "$0")/lib.sh"
$KEYMAC run --model "$KEYMAC_SRC/models/fmnist_cnn.onnx" --wrong-keys 10 --threads 1 --json "$TMP/r.json" --no-progress >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 6
kill -INT $pid
rc=0; wait $pid || rc=$?
[ "$rc" = 130 ] || { cat "$TMP/err"; fail "expected exit code 130 after SIGINT, got $rc"; }
[ -s "$TMP/r.json" ] || fail "no report written after SIGINT"
[ "$(json "$TMP/r.json" "r['complete']")" = False ] || fail "interrupted report claims to be complete"
grep -q "INTERRUPTED" "$TMP/out" || fail "text report does not say it was interrupted"
echo "interrupt ok: $(json "$TMP/r.json" "r['accuracy']['reference']")"
