#!/usr/bin/env bash
# `keymac attack` on a model the test builds itself and a non-square 8x12
# array; `keymac export` round trip; Ctrl-C keeps the finished attacks.
source "$(dirname "$0")/../e2e/lib.sh"
"$PY" "$KEYMAC_SRC/scripts/make_test_onnx.py" --kind cnn --seed 3 --out "$TMP/t.onnx" >/dev/null
# A fixed key, so the run is deterministic: the float export of a locked model
# does not saturate activations as the int8 runtime does (calibrated on the
# unlocked model), so with some keys its chance-level accuracy differs from the
# plain array's by more than the 1-point check below (docs/SECURITY.md).
printf '# keymac key v1: one line per PE row, column 0 is the MSB of the first hex digit\narray 8x12\n3b9\na04\n350\nbff\na95\na9c\n189\n052\n' >"$TMP/k.key"
$KEYMAC attack --model "$TMP/t.onnx" --array 8x12 --key "$TMP/k.key" --attack distance --attack datafree \
  --attack greedy --attack power --images 60 --queries 0 --limit 300 --threads 2 --no-progress \
  --option distance.keys=1 --option greedy.sweeps=1 --option 'power.cycles=[128]' --option 'power.noise=[0]' \
  --json "$TMP/a.json" >"$TMP/a.txt"
grep -q "datafree" "$TMP/a.txt" || fail "no table"
[ "$(json "$TMP/a.json" "[a['attack'] for a in r['attacks']]")" = "['distance', 'datafree', 'greedy', 'power']" ] || fail "attacks missing"
[ "$(json "$TMP/a.json" "all(a['bits_total'] == 96 for a in r['attacks'])")" = True ] || fail "bits_total is not 8*12"
[ "$(json "$TMP/a.json" "(len(r['attacks'][0]['sensitivity']), len(r['attacks'][0]['sensitivity'][0]))")" = "(8, 12)" ] || fail "sensitivity map is not 8x12"
[ "$(json "$TMP/a.json" "r['attacks'][0]['curve'][-1]['d']")" = 48 ] || fail "curve does not reach R*C/2"
# Independent reference for d = 0: `keymac run` with the same key on the same images.
$KEYMAC run --model "$TMP/t.onnx" --array 8x12 --key "$TMP/k.key" --limit 300 --wrong-keys 0 --no-progress --json "$TMP/r.json" >/dev/null
ck=$(json "$TMP/r.json" "r['accuracy']['correct_key']")
[ "$(json "$TMP/a.json" "r['attacks'][0]['curve'][0]['mean']")" = "$ck" ] || fail "distance d=0 differs from run's right-key accuracy $ck"
[ "$(json "$TMP/a.json" "r['right_key_accuracy']")" = "$ck" ] || fail "harness right-key accuracy differs from run"
# No key material in the report: not the key's rows in hex, not its bits.
rows=$(grep -v '^#' "$TMP/k.key" | tail -n +2 | tr -d '\n')
bits=$("$PY" -c "import sys; print(''.join(bin(int(h,16))[2:].zfill(12) for h in sys.argv[1:]))" $(grep -v '^#' "$TMP/k.key" | tail -n +2))
! grep -qi "$rows" "$TMP/a.json" || fail "report holds the key's hex rows"
! grep -q "${bits:0:40}" "$TMP/a.json" || fail "report holds the key's bits"
echo "ok: attack on 8x12: $(json "$TMP/a.json" "[(a['attack'], a['bits_recovered']) for a in r['attacks']]")"

# Unknown attack: one line.
expect_error unknown_attack "unknown attack 'nope'" -- $KEYMAC attack --model "$TMP/t.onnx" --array 8x12 --key "$TMP/k.key" --attack nope

expect_error unknown_option "greedy has no option 'sweep'" -- $KEYMAC attack --model "$TMP/t.onnx" --array 8x12 --key "$TMP/k.key" \
  --attack greedy --option greedy.sweep=5

# export: the locked package as float ONNX; keymac imports it; float accuracy
# within 1 point of the locked model's plain-array accuracy; every weight has
# the LOCKED sign (opposite to the original where the key bit is 1).
$KEYMAC lock --model "$TMP/t.onnx" --array 8x12 --key "$TMP/k.key" --out "$TMP/t.kmpkg" >/dev/null
# A locked package is attacked as it is (geometry from the package).
$KEYMAC attack --model "$TMP/t.kmpkg" --key "$TMP/k.key" --attack datafree --option datafree.images=0 --limit 100 \
  --no-progress --json "$TMP/pk.json" >/dev/null
[ "$(json "$TMP/pk.json" "(r['model_kind'], r['attacks'][0]['bits_total'])")" = "('locked-package', 96)" ] || fail "attack on a package"
$KEYMAC export --model "$TMP/t.kmpkg" --out "$TMP/x.onnx" >/dev/null
$KEYMAC run --model "$TMP/x.onnx" --array 8x12 --limit 1000 --wrong-keys 0 --no-progress --json "$TMP/x.json" >/dev/null
$KEYMAC run --model "$TMP/t.kmpkg" --key "$TMP/k.key" --limit 1000 --wrong-keys 0 --no-progress --json "$TMP/p.json" >/dev/null
fx=$(json "$TMP/x.json" "r['accuracy']['float']"); pa=$(json "$TMP/p.json" "r['accuracy']['plain_array']")
"$PY" -c "import sys; sys.exit(0 if abs($fx - $pa) <= 1.0 else 1)" || fail "exported float accuracy $fx vs plain array $pa"
"$PY" - "$TMP/t.onnx" "$TMP/x.onnx" "$TMP/k.key" <<'PYEOF' || fail "exported weights are not the locked ones"
import sys, onnx, numpy as np
from onnx import numpy_helper
orig = [numpy_helper.to_array(t) for t in onnx.load(sys.argv[1]).graph.initializer if numpy_helper.to_array(t).ndim >= 2]
expo = [numpy_helper.to_array(t) for t in onnx.load(sys.argv[2]).graph.initializer if t.name.endswith("_weight")]
rows = [l.strip() for l in open(sys.argv[3]) if l.strip() and not l.startswith("#")][1:]
R, C = len(rows), 12
key = np.array([[int(b) for b in bin(int(h, 16))[2:].zfill(C)] for h in rows])
assert len(orig) == len(expo), (len(orig), len(expo))
checked = 0
for o, e in zip(orig, expo):
    o2, e2 = o.reshape(o.shape[0], -1), e.reshape(e.shape[0], -1)   # N x K
    n_idx, k_idx = np.meshgrid(np.arange(o2.shape[0]), np.arange(o2.shape[1]), indexing="ij")
    flip = key[k_idx % R, n_idx % C] == 1
    nz = (e2 != 0) & (np.abs(o2) > 1e-3 * np.abs(o2).max())
    same = np.sign(o2) == np.sign(e2)
    assert np.all(same[nz & ~flip]) and not np.any(same[nz & flip]), "sign mismatch"
    checked += int(nz.sum())
print("exported weights: locked signs on", checked, "weights")
PYEOF
echo "ok: export: float $fx vs plain array $pa"

# Ctrl-C during the second attack: the first is kept, exit 130.
$KEYMAC attack --model "$TMP/t.onnx" --array 8x12 --key "$TMP/k.key" --attack datafree --attack greedy \
  --images 1000 --limit 300 --threads 1 --no-progress --option datafree.images=0 --option greedy.sweeps=50 --json "$TMP/i.json" >/dev/null 2>&1 &
pid=$!
sleep 15
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "interrupted attack exit code $rc, expected 130"
[ "$(json "$TMP/i.json" "(r['complete'], [a['attack'] for a in r['attacks']], r.get('interrupted'))")" = "(False, ['datafree'], 'greedy')" ] \
  || fail "interrupted report: $(json "$TMP/i.json" "(r['complete'], [a['attack'] for a in r['attacks']])")"
echo "ok: Ctrl-C keeps the finished attacks"
