#!/usr/bin/env bash
# Smoke test of scripts/train_fmnist.py (and scripts/make_test_onnx.py):
#  1. a tiny training run (500 train / 500 test images, 1 epoch) for each arch
#     writes a non-empty ONNX file and a model card and prints an accuracy;
#  2. a missing dataset directory gives exit code != 0 and one line on stderr
#     naming the missing file, and leaves no output file behind;
#  3. the test-network generator writes a non-empty ONNX file.
# Needs /usr/bin/python3 with python3-torch and the dataset-fashion-mnist files;
# exits 77 when either is absent; ctest counts that as a failure (no skip code is
# registered), since scripts/setup.sh installs both. About 15 s.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
py="${KEYMAC_TORCH_PYTHON:-/usr/bin/python3}"
data="${KEYMAC_FMNIST_DIR:-/usr/share/datasets/fashion-mnist}"

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "train_smoke: SKIP: $py has no torch (install python3-torch)"; exit 77
fi
if [ ! -f "$data/train-images-idx3-ubyte.gz" ]; then
  echo "train_smoke: SKIP: no Fashion-MNIST in $data (install dataset-fashion-mnist)"; exit 77
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "train_smoke: FAIL: $*" >&2; exit 1; }

for arch in mlp cnn resnet; do  # issue 12: resnet (BatchNorm, residual blocks)
  out="$tmp/$arch.onnx"
  if ! "$py" "$repo/scripts/train_fmnist.py" --arch "$arch" --limit-train 500 --epochs 1 \
      --limit-test 500 --seed 1 --data-dir "$data" --out "$out" --card "$tmp/$arch.md" \
      >"$tmp/$arch.log" 2>&1; then
    cat "$tmp/$arch.log" >&2; fail "$arch training exited non-zero"
  fi
  [ -s "$out" ] || fail "$arch: $out missing or empty"
  [ -s "$tmp/$arch.md" ] || fail "$arch: model card missing or empty"
  grep -q '^float test accuracy: [0-9.]* ([0-9]*/500)' "$tmp/$arch.log" \
    || fail "$arch: no accuracy line on 500 test images"
  grep -q 'int8 accuracy on the simulated 16x16 keyed array | TBD' "$tmp/$arch.md" \
    || fail "$arch: card lacks the int8 TBD line"
  echo "train_smoke: $arch ok ($(grep '^float test accuracy' "$tmp/$arch.log"))"
done

# Bad path: a missing dataset directory.
set +e
"$py" "$repo/scripts/train_fmnist.py" --arch mlp --limit-train 500 --epochs 1 \
  --data-dir "$tmp/no-such-dir" --out "$tmp/bad.onnx" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "missing dataset dir gave exit code 0"
[ "$(wc -l <"$tmp/bad.err")" -eq 1 ] || { cat "$tmp/bad.err" >&2; fail "expected one line on stderr"; }
grep -q "$tmp/no-such-dir/train-images-idx3-ubyte.gz" "$tmp/bad.err" \
  || { cat "$tmp/bad.err" >&2; fail "error does not name the missing file"; }
[ ! -e "$tmp/bad.onnx" ] || fail "an output file was written despite the error"
echo "train_smoke: missing dataset ok (exit $rc: $(cat "$tmp/bad.err"))"

# Bad data: a corrupt (non-gzip) file.
mkdir "$tmp/corrupt"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz; do
  ln -s "$data/$f" "$tmp/corrupt/$f"
done
echo "not gzip" >"$tmp/corrupt/t10k-labels-idx1-ubyte.gz"
set +e
"$py" "$repo/scripts/train_fmnist.py" --arch mlp --limit-train 500 --epochs 1 \
  --data-dir "$tmp/corrupt" --out "$tmp/bad.onnx" >/dev/null 2>"$tmp/bad.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "corrupt dataset file gave exit code 0"
[ "$(wc -l <"$tmp/bad.err")" -eq 1 ] && grep -q "t10k-labels-idx1-ubyte.gz" "$tmp/bad.err" \
  || { cat "$tmp/bad.err" >&2; fail "corrupt file not named in a one-line error"; }
echo "train_smoke: corrupt dataset ok (exit $rc)"

# Test-network generator.
for kind in mlp cnn mlp-matmul; do
  "$py" "$repo/scripts/make_test_onnx.py" --kind "$kind" --seed 3 --out "$tmp/t_$kind.onnx" \
    >/dev/null || fail "make_test_onnx.py --kind $kind exited non-zero"
  [ -s "$tmp/t_$kind.onnx" ] || fail "make_test_onnx.py --kind $kind wrote nothing"
done
echo "train_smoke: make_test_onnx ok"
echo "train_smoke: PASS"
