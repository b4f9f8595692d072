#!/usr/bin/env bash
# Issue 11: `keymac attack` against an expanded (master) key with the same
# commands, one tiny run of every attack kind, on a model the test builds
# itself and a non-square 8x12 array; `run --energy` in the expanded mode
# against the closed form of the energy table (docs/TRACES.md, KEYEXP.md).
source "$(dirname "$0")/../e2e/lib.sh"
"$PY" "$KEYMAC_SRC/scripts/make_test_onnx.py" --kind cnn --seed 3 --out "$TMP/t.onnx" >/dev/null
$KEYMAC keygen --mode expanded --out "$TMP/mk.key" >/dev/null
$KEYMAC lock --model "$TMP/t.onnx" --array 8x12 --key "$TMP/mk.key" --nonce 0123456789abcdef --out "$TMP/t.kmpkg" >"$TMP/lock.txt"
weights=$(sed -n 's/.*(\([0-9]*\) weights in.*/\1/p' "$TMP/lock.txt")
[ -n "$weights" ] || fail "no weight count in: $(cat "$TMP/lock.txt")"
attacks=(distance datafree greedy power)
if $KEYMAC attack --help | grep -q finetune; then attacks+=(gradient finetune); fi
args=()
for a in "${attacks[@]}"; do args+=(--attack "$a"); done
$KEYMAC attack --model "$TMP/t.kmpkg" --key "$TMP/mk.key" "${args[@]}" --images 60 --queries 0 --limit 200 --threads 2 \
  --no-progress --option distance.keys=1 --option greedy.sweeps=1 --option 'power.cycles=[128]' --option 'power.noise=[0]' \
  --option gradient.steps=5 --option 'finetune.fractions=[0.001]' --option finetune.seeds=1 --option finetune.epochs=1 \
  --json "$TMP/a.json" >"$TMP/a.txt" || fail "attack failed: $(tail -3 "$TMP/a.txt")"
grep -q "expanded key" "$TMP/a.txt" || fail "the table does not name the key mode"
[ "$(json "$TMP/a.json" "[a['attack'] for a in r['attacks']]")" = "$("$PY" -c "import sys; print(sys.argv[1:])" "${attacks[@]}")" ] \
  || fail "attacks missing: $(json "$TMP/a.json" "[a['attack'] for a in r['attacks']]")"
[ "$(json "$TMP/a.json" "r['key_mode']")" = expanded ] || fail "report key_mode"
[ "$(json "$TMP/a.json" "all(a['bits_total'] == 80 and a['key_mode'] == 'expanded' for a in r['attacks'])")" = True ] \
  || fail "bits_total is not the 80 master-key bits"
# distance: d in master-key bits up to 40; one row of 80 sensitivities; d = 0
# equals `keymac run` with the same key and images (an independent path).
[ "$(json "$TMP/a.json" "[p['d'] for p in r['attacks'][0]['curve']]")" = "[0, 1, 2, 4, 8, 16, 32, 40]" ] || fail "distance curve"
[ "$(json "$TMP/a.json" "(len(r['attacks'][0]['sensitivity']), len(r['attacks'][0]['sensitivity'][0]))")" = "(1, 80)" ] \
  || fail "sensitivity is not one row of 80 master-key bits"
$KEYMAC run --model "$TMP/t.kmpkg" --key "$TMP/mk.key" --limit 200 --wrong-keys 0 --no-progress --json "$TMP/r.json" >/dev/null
ck=$(json "$TMP/r.json" "r['accuracy']['correct_key']")
[ "$(json "$TMP/a.json" "r['attacks'][0]['curve'][0]['mean']")" = "$ck" ] || fail "distance d=0 differs from run's right-key accuracy $ck"
# Key-recovery attacks: an R x C candidate has no master-key bit (null) and
# gets the per-weight key bits right like coin flips: binomial n/2 +- 6 sigma
# over all $weights weights.
"$PY" - "$TMP/a.json" "$weights" <<'PY' || fail "sign-pattern scores"
import json, math, sys
r = json.load(open(sys.argv[1])); n = int(sys.argv[2])
for a in r["attacks"]:
    if a["attack"] in ("distance", "finetune"):
        continue
    assert a["bits_recovered"] is None, a["attack"]
    assert a["sign_bits_total"] == n, (a["attack"], a["sign_bits_total"], n)
    k = a["sign_bits_recovered"]
    assert abs(k - n / 2) <= 6 * math.sqrt(n) / 2, (a["attack"], k, n)
    assert a["accuracy_with_recovered_key"] is not None
print("ok: candidates score", {a["attack"]: a.get("sign_bits_recovered") for a in r["attacks"]}, "of", n, "signs")
for a in r["attacks"]:
    if a["attack"] == "finetune":
        assert a["table"] and a["accuracy_with_recovered_key"] is not None
PY
# No key material: not the master key's hex digits.
hex=$(grep -v '^#' "$TMP/mk.key" | grep -io '[0-9a-f]\{20\}' | head -1)
[ -n "$hex" ] || fail "no hex master key in the key file"
! grep -qi "$hex" "$TMP/a.json" "$TMP/a.txt" || fail "report holds the master key"
# The package's mode and nonce are used; a periodic key for it is refused in one line.
$KEYMAC keygen --array 8x12 --out "$TMP/p.key" >/dev/null
expect_error periodic_key_for_expanded_package "expanded" -- $KEYMAC attack --model "$TMP/t.kmpkg" --key "$TMP/p.key" --attack datafree
expect_error nonce_for_package "--nonce" -- $KEYMAC attack --model "$TMP/t.kmpkg" --key "$TMP/mk.key" --nonce 0000000000000001 --attack datafree

# Energy per inference with an expanded key: the key unit's components equal
# the closed form from the report's own fold counts and the documented table.
$KEYMAC run --model "$TMP/t.kmpkg" --key "$TMP/mk.key" --energy --limit 64 --batch 64 --wrong-keys 0 --no-progress \
  --json "$TMP/e.json" >/dev/null || fail "run --energy with an expanded key"
"$PY" - "$TMP/e.json" <<'PY' || fail "expanded energy"
import json, math, sys
r = json.load(open(sys.argv[1])); e = r["energy"]; R, C = r["array"]["rows"], r["array"]["cols"]
xor, flop = 0.1 / 96, 0.1 / 32            # Horowitz-derived defaults (energy_table.h)
folds = sum(l["folds"] for l in r["layers"])
warm = math.ceil(1152 / C) * len(r["layers"])
b = e["batch_images"]
cipher = (warm + folds * R) * (C * 14 * xor + 288 * flop) / b
pe_bits = folds * R * C * flop / b
got = e["breakdown"]
assert abs(got["key.cipher"]["keyed"] - cipher) < 1e-9 * max(1, cipher), (got["key.cipher"], cipher)
assert abs(got["key.pe_bits"]["keyed"] - pe_bits) < 1e-9 * max(1, pe_bits), (got["key.pe_bits"], pe_bits)
assert got["key.cipher"]["plain"] == 0 and got["key.pe_bits"]["plain"] == 0
assert abs(e["key_load_pj"] - 80 * flop) < 1e-12 and e["key_mode"] == "expanded"
print(f"ok: expanded energy: cipher {cipher:.3f} pJ, per-PE key bits {pe_bits:.3f} pJ per inference")
PY
expect_error expanded_saif "SAIF" -- $KEYMAC run --model "$TMP/t.kmpkg" --key "$TMP/mk.key" --limit 64 --wrong-keys 0 --saif "$TMP/x.saif"
echo "ok: expanded attacks and energy"
