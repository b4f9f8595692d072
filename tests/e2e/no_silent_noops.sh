#!/usr/bin/env bash
# No silent no-ops (docs/TRACES.md): an option the chosen backend cannot honour
# is refused with one line before anything runs (in `run` and in sweep specs),
# every trace written says which cycles of how many it holds and warns when the
# window covers part of the run, and no empty trace file is left behind.
source "$(dirname "$0")/lib.sh"
q=(--array 4x4 --limit 8 --batch 8 --wrong-keys 0 --calib 100 --no-progress --key-seed 3)

# Memory options on backends with ideal memory.
expect_error "functional --finite-memory" "--finite-memory: the functional backend has ideal memory" -- \
  $KEYMAC run "${q[@]}" --finite-memory
expect_error "functional --dram-bw" "--dram-bw: the functional backend has ideal memory" -- $KEYMAC run "${q[@]}" --dram-bw 4
expect_error "functional --wbuf-kib" "--wbuf-kib: the functional backend" -- $KEYMAC run "${q[@]}" --wbuf-kib 8
echo '{"ideal": false}' >"$TMP/mem.json"
expect_error "functional --mem-config" "--mem-config: the functional backend" -- $KEYMAC run "${q[@]}" --mem-config "$TMP/mem.json"
expect_error "systemc --dram-bw without --finite-memory" "--dram-bw: has no effect with ideal memory" -- \
  $KEYMAC run "${q[@]}" --backend systemc --dram-bw 4
expect_error "systemc --dram-latency without --finite-memory" "--dram-latency: has no effect with ideal memory" -- \
  $KEYMAC run "${q[@]}" --backend systemc --dram-latency 10
if [ "${KEYMAC_HAS_RTL:-0}" = 1 ]; then
  expect_error "rtl --finite-memory" "--finite-memory: the rtl backend has ideal memory" -- \
    $KEYMAC run "${q[@]}" --backend rtl --finite-memory
fi

# Waveform on the functional backend; a window without any trace.
expect_error "functional --vcd" "--vcd: the functional backend has no waveform" -- $KEYMAC run "${q[@]}" --vcd "$TMP/f.vcd"
[ ! -e "$TMP/f.vcd" ] || fail "a refused VCD was created"
expect_error "--trace-window alone" "--trace-window: no trace is written" -- $KEYMAC run "${q[@]}" --trace-window 0:10
expect_error "--force-trace alone" "--force-trace: no trace is written" -- $KEYMAC run "${q[@]}" --force-trace
expect_error "--trace-limit-mb alone" "--trace-limit-mb: no trace is written" -- $KEYMAC run "${q[@]}" --trace-limit-mb 5
expect_error "--save-key with --key-seed" "--save-key: saves a fresh random key" -- $KEYMAC run "${q[@]}" --save-key "$TMP/k.key"
[ ! -e "$TMP/k.key" ] || fail "a key file was written"

expect_error "functional --saif-names" "--saif-names: only the rtl backend" -- \
  $KEYMAC run "${q[@]}" --saif "$TMP/n.saif" --saif-names yosys-hier

# Sweep specs: refused before any point runs (no results file).
cat >"$TMP/s1.json" <<'J'
{"name": "s1", "base": {"limit": 8, "wrong_keys": 0, "dram_bw": 4}, "axes": {"array": ["4x4", "8x8"]}}
J
expect_error "sweep: functional + dram_bw" "--dram-bw: the functional backend has ideal memory" -- \
  $KEYMAC sweep "$TMP/s1.json" -o "$TMP/s1.jsonl" --no-progress
[ ! -e "$TMP/s1.jsonl" ] || fail "a refused sweep wrote results"
cat >"$TMP/s2.json" <<'J'
{"name": "s2", "base": {"limit": 8, "wrong_keys": 0, "backend": "systemc"}, "axes": {"dram_latency": [10, 100]}}
J
expect_error "sweep: systemc + dram_latency without finite_memory" "--dram-latency: has no effect with ideal memory" -- \
  $KEYMAC sweep "$TMP/s2.json" -o "$TMP/s2.jsonl" --no-progress
cat >"$TMP/s3.json" <<'J'
{"name": "s3", "base": {"limit": 8, "wrong_keys": 0}, "axes": {"backend": ["functional", "systemc"], "finite_memory": [true]}}
J
expect_error "sweep: a functional point with finite_memory" "--finite-memory: the functional backend" -- \
  $KEYMAC sweep "$TMP/s3.json" -o "$TMP/s3.jsonl" --no-progress

# Every trace says what it holds; a partial window warns.
$KEYMAC run "${q[@]}" --backend systemc --vcd "$TMP/w.vcd" --saif "$TMP/w.saif" --json "$TMP/r.json" >/dev/null 2>"$TMP/err"
n=$(json "$TMP/r.json" "r['key']['load_cycles'] + r['cycles']['keyed_total']")
nb=$(json "$TMP/r.json" "r['key']['load_cycles'] + r['cycles']['keyed']")
cat "$TMP/err"
[ "$n" -gt 10001 ] || fail "test run too short ($n cycles) to show the default window's warning"
grep -qx "wrote $TMP/w.vcd (cycles 0..10000 of $n, right-key evaluation; key load, .*)" "$TMP/err" || fail "VCD: no 'wrote' line"
grep -qx "keymac: warning: $TMP/w.vcd covers only cycles 0..10000 of the $n-cycle right-key evaluation (--trace-window 0:10000)" \
  "$TMP/err" || fail "VCD: no warning that the default window covers part of the run"
grep -qx "wrote $TMP/w.saif (cycles 0..10000 of $nb, one-batch replay; key load, .*)" "$TMP/err" || fail "SAIF: no 'wrote' line"
# A window that covers the whole run: no warning.
$KEYMAC run "${q[@]}" --saif "$TMP/all.saif" --trace-window 0:$((nb + 50)) >/dev/null 2>"$TMP/err2"
grep -q "wrote $TMP/all.saif (cycles 0..$((nb - 1)) of $nb" "$TMP/err2" || { cat "$TMP/err2"; fail "full-window SAIF line"; }
! grep -q warning "$TMP/err2" || fail "a full window must not warn"

# A window after the end of the run: no (empty) file, exit 1, one line.
expect_error "window after the run" "starts after the right-key evaluation" -- \
  $KEYMAC run "${q[@]}" --backend systemc --vcd "$TMP/late.vcd" --trace-window $((n + 10)):$((n + 20))
[ ! -e "$TMP/late.vcd" ] || fail "an empty VCD was left behind"
echo "no_silent_noops ok"
