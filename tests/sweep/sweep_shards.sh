#!/usr/bin/env bash
# Shards 1/3, 2/3, 3/3 are disjoint and merged equal the unsharded sweep;
# merge reports missing (exit 1) and duplicate points; the GNU parallel
# launcher runs the same shards; plot writes its PNGs from the merged file.
source "$KEYMAC_SRC/tests/sweep/sweep_lib.sh"
cd "$TMP"
make_keys keys 4x4 8x8 8x16 16x16 16x32
cat >spec.json <<'J'
{"name": "shards", "base": {"limit": 300, "wrong_keys": 2, "seed": 11, "key": "keys"},
 "axes": {"array": ["4x4", "8x8", "8x16", "16x8", "16x16", "16x32"], "batch": [128, 256]},
 "drop_if": "rows > cols"}
J
n=$($KEYMAC sweep spec.json --dry-run | tail -1)
echo "$n"
echo "$n" | grep -q "10 points (12 before drop_if)" || fail "drop_if: expected 10 of 12 points"
$KEYMAC sweep spec.json -j 2 -o full.jsonl
for i in 1 2 3; do $KEYMAC sweep spec.json --shard $i/3 -o s$i.jsonl; done
"$PY" - s1.jsonl s2.jsonl s3.jsonl <<'PY'
import json, sys
ids = [set(json.loads(l)["id"] for l in open(p)) for p in sys.argv[1:]]
assert all(len(ids[i] & ids[j]) == 0 for i in range(3) for j in range(i + 1, 3)), "shards overlap"
assert sorted(len(s) for s in ids) == [3, 3, 4], [len(s) for s in ids]
print("ok: shards disjoint, sizes", [len(s) for s in ids])
PY
$KEYMAC sweep merge s1.jsonl s2.jsonl s3.jsonl -o merged.jsonl --csv merged.csv --spec spec.json
same_results full.jsonl merged.jsonl
[ "$(wc -l <merged.csv)" -eq 11 ] || fail "CSV: expected header + 10 rows"
head -1 merged.csv | grep -q "^id,index,model,backend,array,rows,cols,pes," || fail "CSV header"

# Missing and duplicate points.
rc=0; $KEYMAC sweep merge s1.jsonl s3.jsonl -o m2.jsonl --spec spec.json >m2.out 2>m2.err || rc=$?
[ "$rc" -eq 1 ] || fail "merge with a shard missing: exit $rc, expected 1"
grep -q "missing: 3 of 10 points" m2.out || { cat m2.out; fail "merge did not list the 3 missing points"; }
$KEYMAC sweep merge s1.jsonl s1.jsonl s2.jsonl s3.jsonl -o m3.jsonl --spec spec.json >m3.out
grep -q "duplicates: 4" m3.out || { cat m3.out; fail "merge did not report 4 duplicates"; }
same_results full.jsonl m3.jsonl

# GNU parallel launcher: same shards, same results.
$KEYMAC sweep spec.json --emit parallel --shards 3 -o par >/dev/null
bash par/shards.parallel.sh --jobs 2 >par.log 2>&1 || { cat par.log; fail "parallel launcher failed"; }
$KEYMAC sweep merge par/shard-*-of-3.jsonl -o par.jsonl --spec spec.json >/dev/null
same_results full.jsonl par.jsonl

# Plots of the merged results.
$KEYMAC plot merged.jsonl -o plots | tee plot.out
for p in cycles_util accuracy pareto; do
  head -c 8 "plots/$p.png" | od -An -c | grep -q "P   N   G" || fail "plots/$p.png is not a PNG"
done
grep -q "area_overhead" plot.out || fail "plot: no word about the area-overhead figure"
