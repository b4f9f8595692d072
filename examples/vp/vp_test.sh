#!/usr/bin/env bash
# The example virtual platform runs two accelerators of different geometries,
# keys and memories concurrently and reports, for each, the same accuracy,
# agreement with the unlocked reference and cycles as `keymac run` of the same
# package, key and images on the SystemC backend; and each accelerator was busy
# for exactly its cycles x the clock period of SystemC time.
source "$KEYMAC_SRC/tests/e2e/lib.sh"
: "${KEYMAC_VP:?set KEYMAC_VP to the keymac_vp binary}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
LIMIT=192 BATCH=64
$KEYMAC keygen --array 16x16 --out "$TMP/a.key" >/dev/null
$KEYMAC keygen --array 8x4 --out "$TMP/b.key" >/dev/null
$KEYMAC lock --model "$KEYMAC_SRC/models/fmnist_mlp.onnx" --array 16x16 --key "$TMP/a.key" --calib 200 --out "$TMP/a.kmpkg" >/dev/null
$KEYMAC lock --model "$KEYMAC_SRC/models/fmnist_cnn.onnx" --array 8x4 --key "$TMP/b.key" --calib 200 --out "$TMP/b.kmpkg" >/dev/null
$KEYMAC run --backend systemc --model "$TMP/a.kmpkg" --key "$TMP/a.key" --limit $LIMIT --batch $BATCH \
  --wrong-keys 0 --seed 1 --no-progress --json "$TMP/run_a.json" >/dev/null
$KEYMAC run --backend systemc --finite-memory --model "$TMP/b.kmpkg" --key "$TMP/b.key" --limit $LIMIT --batch $BATCH \
  --wrong-keys 0 --seed 1 --no-progress --json "$TMP/run_b.json" >/dev/null
$KEYMAC_VP --accel "$TMP/a.kmpkg:$TMP/a.key" --accel "$TMP/b.kmpkg:$TMP/b.key:finite" \
  --limit $LIMIT --batch $BATCH --json "$TMP/vp.json"
"$PY" - "$TMP" <<'PY'
import json, sys
d = sys.argv[1]
vp = json.load(open(f"{d}/vp.json"))
accs = vp["accelerators"]
assert len(accs) == 2
for acc, name in zip(accs, ("run_a", "run_b")):
    r = json.load(open(f"{d}/{name}.json"))
    who = acc["accelerator"]
    assert acc["array"] == r["array"], (who, acc["array"], r["array"])
    assert acc["images"] == r["images"], who
    assert acc["accuracy"]["correct_key"] == r["accuracy"]["correct_key"], (who, acc["accuracy"], r["accuracy"])
    assert acc["right_key_vs_reference"] == r["right_key_vs_reference"], (who, acc["right_key_vs_reference"], r["right_key_vs_reference"])
    assert acc["right_key_vs_reference"]["scores_bit_identical"] and acc["right_key_vs_reference"]["identical_predictions"] == acc["images"], who
    assert [(l["name"], l["cycles"], l["stall_cycles"]) for l in acc["layers"]] == \
           [(l["name"], l["cycles"], l["stall_cycles"]) for l in r["layers"]], (who, acc["layers"], r["layers"])
    assert acc["cycles"]["keyed"] == r["cycles"]["keyed"] and acc["cycles"]["keyed_total"] == r["cycles"]["keyed_total"], (who, acc["cycles"], r["cycles"])
    for k in ("cycles", "stall_cycles", "macs"):
        assert acc["backend_totals"][k] == r["backend_totals"][k], (who, k)
    sc = acc["systemc"]
    assert sc["busy_equals_cycles_times_period"], (who, sc)
    assert abs(sc["busy_ns"] - acc["cycles"]["keyed_total"] * sc["clock_ns"]) < 1e-3, (who, sc)
b = accs[1]
assert b["backend_totals"]["stall_cycles"] > 0, "finite memory should stall"
assert accs[0]["array"] != accs[1]["array"]
# Concurrent: each accelerator started before the other one finished.
a0, a1 = accs[0]["systemc"], accs[1]["systemc"]
assert a0["first_start_ns"] < a1["last_end_ns"] and a1["first_start_ns"] < a0["last_end_ns"], (a0, a1)
print("vp ok:", [(x["accelerator"], x["accuracy"]["correct_key"], x["cycles"]["keyed_total"]) for x in accs])
PY
