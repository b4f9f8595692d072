#!/usr/bin/env bash
# `--scalesim-trace` says what it wrote, like the other traces (docs/TRACES.md
# "SCALE-Sim-format traces"): "wrote DIR (cycles A..B of N, layers ...; F files)",
# a warning when the window covers part of the traced layers, only the layers
# the window reaches get a directory, no empty trace file is left, and a window
# after the last cycle writes nothing and fails with one line.
source "$(dirname "$0")/lib.sh"
REF="$KEYMAC_SRC/tests/traces/data/scalesim_ref"
# conv.csv on 16x16: layer cycles from the closed form (F-1)*max(M,R) + M + R + C
# (ARCHITECTURE.md section 8), R = C = 16: 28x28 5x5 -> M 576, K 25, N 8, F 2:
# 576 + 576 + 32 = 1184; 12x12x8 3x3 stride 2 -> 6x6, M 36, K 72, N 16, F 5:
# 4*36 + 36 + 32 = 212. Total 1396.
$KEYMAC run --topology "$REF/conv.csv" --config "$REF/ws16.cfg" --scalesim-trace "$TMP/ss" \
  --trace-window 0:999 >/dev/null 2>"$TMP/err"
cat "$TMP/err"
grep -qx "wrote $TMP/ss (cycles 0..999 of 1396, layers conv28x28x1_5x5x8; 9 files)" "$TMP/err" \
  || fail "no 'wrote' line naming the window, the total and the one layer reached"
grep -qx "keymac: warning: $TMP/ss covers only cycles 0..999 of the 1396-cycle run .*" "$TMP/err" \
  || fail "no warning for a partial window"
[ -d "$TMP/ss/layer0" ] && [ ! -e "$TMP/ss/layer1" ] || fail "layer1 is outside the window: no directory expected"
empty=$(find "$TMP/ss" -type f -empty | wc -l)
[ "$empty" = 0 ] || { find "$TMP/ss" -type f -empty; fail "$empty empty trace files"; }
# The whole run: no warning, both layers.
$KEYMAC run --topology "$REF/conv.csv" --config "$REF/ws16.cfg" --scalesim-trace "$TMP/all" \
  --trace-window 0:5000 >/dev/null 2>"$TMP/err2"
grep -qx "wrote $TMP/all (cycles 0..1395 of 1396, layers conv28x28x1_5x5x8, conv12x12x8_3x3x16_s2; 15 files)" "$TMP/err2" \
  || { cat "$TMP/err2"; fail "whole-run 'wrote' line"; }
! grep -q warning "$TMP/err2" || { cat "$TMP/err2"; fail "a window covering the run must not warn"; }
# A window after the last cycle: nothing created, exit 1, one line.
expect_error "SCALE-Sim window after the layers" "not written: --trace-window 2000:3000 starts after the 1396 cycles" -- \
  $KEYMAC run --topology "$REF/conv.csv" --config "$REF/ws16.cfg" --scalesim-trace "$TMP/late" --trace-window 2000:3000
[ ! -e "$TMP/late" ] || fail "a trace directory was created for an empty window"
# A model run says the same (the MLP's three layers, one batch).
$KEYMAC run --array 4x4 --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --key-seed 3 \
  --scalesim-trace "$TMP/m" --trace-window 0:99 --json "$TMP/m.json" >/dev/null 2>"$TMP/err3"
grep -q "^wrote $TMP/m (cycles 0..99 of [0-9]*, layers " "$TMP/err3" || { cat "$TMP/err3"; fail "model run: no 'wrote' line"; }
grep -q "^keymac: warning: $TMP/m covers only cycles 0..99" "$TMP/err3" || { cat "$TMP/err3"; fail "model run: no warning"; }
[ "$(find "$TMP/m" -type f -empty | wc -l)" = 0 ] || fail "model run: empty trace files"
echo "scalesim_trace_notes ok"
