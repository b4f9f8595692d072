#!/usr/bin/env bash
# Expanded keys from the user's side (ARCHITECTURE.md 11, FORMATS.md): keygen
# --mode expanded, lock, run the package, relock A -> B (byte-identical to
# locking for B with the same nonce), and the mode mismatches refused.
source "$(dirname "$0")/lib.sh"
MLP="$KEYMAC_SRC/models/fmnist_mlp.onnx"
$KEYMAC keygen --mode expanded --out "$TMP/A.key" >/dev/null
$KEYMAC keygen --mode expanded --out "$TMP/B.key" >/dev/null
[ "$(stat -c %a "$TMP/A.key")" = 600 ] || fail "master key file is not mode 0600"
$KEYMAC keygen --array 8x8 --out "$TMP/P.key" >/dev/null
$KEYMAC lock --model "$MLP" --array 8x8 --key "$TMP/A.key" --calib 200 --out "$TMP/a.kmpkg" >/dev/null
# The package records the mode and a nonce, never the master key.
grep -q '"key_mode": "expanded"' "$TMP/a.kmpkg" || fail "package does not record key_mode"
! grep -qiF "$(sed -n 's/^key //p' "$TMP/A.key")" "$TMP/a.kmpkg" || fail "master key found in package"
NONCE=$(grep -ao '"key_nonce": "[0-9a-f]*"' "$TMP/a.kmpkg" | sed 's/.*: "\(.*\)"/\1/')
[ ${#NONCE} = 16 ] || fail "no 16-digit nonce in the package"
$KEYMAC run --model "$TMP/a.kmpkg" --key "$TMP/A.key" --limit 300 --wrong-keys 3 --wrong-key-distance 1 --seed 1 \
  --json "$TMP/a.json" --no-progress >/dev/null
[ "$(json "$TMP/a.json" "r['right_key_vs_reference']['scores_bit_identical']")" = True ] || fail "right master key not bit-identical"
[ "$(json "$TMP/a.json" "r['key']['mode']")" = expanded ] || fail "report does not say expanded"
[ "$(json "$TMP/a.json" "(lambda h: h['min'] == 1 and h['max'] == 1)(r['accuracy']['wrong_key']['hamming_distance']) and r['accuracy']['wrong_key']['n'] == 3")" = True ] || fail "wrong keys not at distance 1"
[ "$(json "$TMP/a.json" "r['accuracy']['wrong_key']['max'] < 30")" = True ] || fail "a master key one bit off still works"
[ "$(json "$TMP/a.json" "r['cycles']['extra_for_key'] == 3 * 144")" = True ] || fail "warm-up is not ceil(1152/8) cycles per layer"
# Relock A -> B equals locking for B directly with the same nonce.
$KEYMAC relock --model "$TMP/a.kmpkg" --from "$TMP/A.key" --to "$TMP/B.key" --out "$TMP/b1.kmpkg" >/dev/null
$KEYMAC lock --model "$MLP" --array 8x8 --key "$TMP/B.key" --nonce "$NONCE" --calib 200 --out "$TMP/b2.kmpkg" >/dev/null
cmp -s "$TMP/b1.kmpkg" "$TMP/b2.kmpkg" || fail "relock A->B differs from locking for B"
$KEYMAC run --model "$TMP/b1.kmpkg" --key "$TMP/B.key" --limit 300 --wrong-keys 0 --json "$TMP/b.json" --no-progress >/dev/null
[ "$(json "$TMP/b.json" "r['right_key_vs_reference']['scores_bit_identical']")" = True ] || fail "relocked package not bit-identical with B"
# Expanded -> periodic relock runs with the periodic key.
$KEYMAC relock --model "$TMP/a.kmpkg" --from "$TMP/A.key" --to "$TMP/P.key" --out "$TMP/p.kmpkg" >/dev/null
$KEYMAC run --model "$TMP/p.kmpkg" --key "$TMP/P.key" --limit 300 --wrong-keys 0 --json "$TMP/p.json" --no-progress >/dev/null
[ "$(json "$TMP/p.json" "r['key']['mode']")" = periodic ] || fail "relocked-to-periodic package is not periodic"
[ "$(json "$TMP/p.json" "r['accuracy']['correct_key'] == r['accuracy']['reference']")" = True ] || fail "periodic relock lost accuracy"
# Mode mismatches are refused with one line.
expect_error "periodic key for expanded package" "expanded key" -- $KEYMAC run --model "$TMP/a.kmpkg" --key "$TMP/P.key" --no-progress
expect_error "--key-mode contradicts the file" "--key-mode" -- $KEYMAC lock --model "$MLP" --array 8x8 --key "$TMP/A.key" --key-mode periodic --out "$TMP/x.kmpkg"
expect_error "wrong relock source key" "locked with" -- $KEYMAC relock --model "$TMP/a.kmpkg" --from "$TMP/P.key" --to "$TMP/B.key" --out "$TMP/y.kmpkg"
# The SystemC model runs expanded keys too (ARCHITECTURE.md 11.4): bit-identical scores.
$KEYMAC run --model "$TMP/a.kmpkg" --key "$TMP/A.key" --backend systemc --limit 10 --wrong-keys 0 --json "$TMP/sc.json" --no-progress >/dev/null
[ "$(json "$TMP/sc.json" "r['right_key_vs_reference']['scores_bit_identical']")" = True ] || fail "expanded key on systemc not bit-identical"
echo "key expansion ok"
