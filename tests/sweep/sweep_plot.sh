#!/usr/bin/env bash
# Plots a reader can use (docs/SWEEP.md): shapes sharing a PE count are
# separate series (each series' PE counts strictly increase: no zig-zag),
# numeric legends are in numeric order with units, the accuracy figure has
# float and int8-reference bars, and there is one Pareto front per model.
source "$KEYMAC_SRC/tests/sweep/sweep_lib.sh"
cd "$TMP"
cat >spec.json <<'J'
{"name": "plotcheck", "base": {"limit": 8, "wrong_keys": 1, "calib": 100, "key_seed": 5},
 "axes": {"model": ["models/fmnist_mlp.onnx", "models/fmnist_cnn.onnx"], "array": ["8x8", "8x16", "16x8", "16x16"],
          "batch": [64, 128, 8]}}
J
$KEYMAC sweep spec.json -j 2 -o r.jsonl --no-progress >/dev/null
$KEYMAC plot r.jsonl -o plots >/dev/null
"$PY" - plots <<'PY'
import re, sys
d = sys.argv[1]
gp = open(f"{d}/cycles_util.gp").read()
# keymac writes gnuplot strings single-quoted (no backquote substitution; docs/RELIABILITY.md).
titles = re.findall(r"using 1:2 with linespoints[^\n]*? title '([^']*)'", gp)
assert any("tall (R = 2 C)" in t for t in titles) and any("wide (C = 2 R)" in t for t in titles) \
    and any("square (R = C)" in t for t in titles), titles
# Numeric order with units: batch 8 < 64 < 128 within each model.
for m in ("fmnist_cnn", "fmnist_mlp"):
    order = [int(re.search(r"batch = (\d+) images", t).group(1)) for t in titles if t.startswith(m)]
    assert order == sorted(order) and set(order) == {8, 64, 128}, (m, order)
# No zig-zag: within every series (data block) the PE counts strictly increase.
blocks = [b for b in open(f"{d}/cycles_util.dat").read().split("\n\n\n") if b.strip()]
assert len(blocks) == len(titles), (len(blocks), len(titles))
for b in blocks:
    pes = [float(l.split()[0]) for l in b.splitlines() if l and not l.startswith("#")]
    assert pes == sorted(set(pes)), pes
acc = open(f"{d}/accuracy.gp").read()
assert "title 'float model'" in acc and "title 'int8 reference'" in acc and "title 'right key'" in acc
fronts = re.findall(r"title 'Pareto front: ([^']*)'", open(f"{d}/pareto.gp").read())
assert sorted(fronts) == ["fmnist_cnn", "fmnist_mlp"], fronts
print(f"ok: {len(titles)} series, shape classes separate, batch legends numeric, float/int8 bars, fronts {fronts}")
PY
echo "sweep plot ok"
