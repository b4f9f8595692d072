#!/usr/bin/env bash
# A shipped-model slice through the verilated RTL: predictions, scores and
# cycle counts identical to the functional and SystemC backends.
source "$(dirname "$0")/lib.sh"
$KEYMAC keygen --array 8x8 --out "$TMP/k.key" >/dev/null
for be in functional systemc rtl; do
  $KEYMAC run --backend $be --array 8x8 --key "$TMP/k.key" --seed 3 --limit 300 --batch 100 --wrong-keys 1 \
    --json "$TMP/$be.json" --no-progress >/dev/null
done
# The same through the km_pe form of the PE grid (what Yosys synthesises;
# the run above, writing no trace, ran the simulation form).
$KEYMAC run --backend rtl --rtl-grid pe --array 8x8 --key "$TMP/k.key" --seed 3 --limit 300 --batch 100 --wrong-keys 1 \
  --json "$TMP/rtl_pe.json" --no-progress >/dev/null
"$PY" - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
r = {b: json.load(open(f"{d}/{b}.json")) for b in ("functional", "systemc", "rtl", "rtl_pe")}
f = r["functional"]
assert f["right_key_vs_reference"]["identical_predictions"] == 300
for b in ("systemc", "rtl", "rtl_pe"):
    x = r[b]
    assert x["accuracy"] == f["accuracy"], (b, x["accuracy"], f["accuracy"])
    assert x["right_key_vs_reference"] == f["right_key_vs_reference"], b
    assert x["cycles"] == f["cycles"], (b, x["cycles"], f["cycles"])
    assert [l["cycles"] for l in x["layers"]] == [l["closed_form_cycles"] for l in f["layers"]], b
print("rtl backend ok:", f["accuracy"]["correct_key"], f["cycles"]["keyed"])
PY
# FST by extension (through gtkwave's vcd2fst), for a cycle window.
$KEYMAC run --backend rtl --array 4x4 --limit 20 --wrong-keys 0 --vcd "$TMP/w.fst" --trace-window 0:300 --no-progress >/dev/null
[ -s "$TMP/w.fst" ] || fail "no FST written"
# A geometry that was not verilated is refused with the list.
expect_error "rtl geometry" "built:" -- $KEYMAC run --backend rtl --array 5x5 --limit 10
# --rtl-grid: the simulation form is not traced, and only the rtl backend
# has a PE grid to choose.
expect_error "rtl-grid sim with a trace" "not traced" -- \
  $KEYMAC run --backend rtl --rtl-grid sim --array 4x4 --limit 10 --vcd "$TMP/x.vcd"
expect_error "rtl-grid on systemc" "only --backend rtl" -- \
  $KEYMAC run --backend systemc --rtl-grid pe --array 4x4 --limit 10
