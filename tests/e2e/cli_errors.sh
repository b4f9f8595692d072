#!/usr/bin/env bash
# Bad input: one clear line on stderr naming the file and the problem, non-zero exit, no crash,
# and no output file left behind as if complete.
source "$(dirname "$0")/lib.sh"
MLP="$KEYMAC_SRC/models/fmnist_mlp.onnx"
R="run --limit 50 --wrong-keys 1 --no-progress"

expect_error "missing onnx" "/nonexistent/model.onnx" -- $KEYMAC $R --model /nonexistent/model.onnx
head -c 3000 /dev/urandom >"$TMP/corrupt.onnx"
expect_error "corrupt onnx" "$TMP/corrupt.onnx" -- $KEYMAC $R --model "$TMP/corrupt.onnx"
: >"$TMP/empty.onnx"
expect_error "empty onnx" "$TMP/empty.onnx" -- $KEYMAC $R --model "$TMP/empty.onnx"
"$PY" - "$TMP/cumsum.onnx" <<'PY'
import sys, torch
torch.manual_seed(0)
class Net(torch.nn.Module):  # CumSum: an operator keymac does not import (docs/CONFORMANCE.md)
    def __init__(self):
        super().__init__()
        self.a, self.b = torch.nn.Linear(784, 16), torch.nn.Linear(16, 10)
    def forward(self, x):
        return self.b(torch.cumsum(self.a(x), dim=1))
net = Net().eval()
torch.onnx.export(net, torch.zeros(1, 784), sys.argv[1], opset_version=13, input_names=["input"],
                  output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
PY
expect_error "unsupported operator" "unsupported operator 'CumSum'" -- $KEYMAC $R --model "$TMP/cumsum.onnx"

$KEYMAC keygen --array 16x16 --out "$TMP/k16.key" >/dev/null
head -n 5 "$TMP/k16.key" >"$TMP/short.key"
expect_error "key too short" "$TMP/short.key" -- $KEYMAC $R --model "$MLP" --key "$TMP/short.key"
awk 'NR==3{$0="z" substr($0,2)}1' "$TMP/k16.key" >"$TMP/nothex.key"
expect_error "key not hex" "not a hex digit" -- $KEYMAC $R --model "$MLP" --key "$TMP/nothex.key"
$KEYMAC keygen --array 8x8 --out "$TMP/k8.key" >/dev/null
expect_error "key for another geometry" "$TMP/k8.key" -- $KEYMAC $R --model "$MLP" --key "$TMP/k8.key"
expect_error "geometry 0x4" "0x4" -- $KEYMAC $R --model "$MLP" --array 0x4
expect_error "geometry 100000x1" "100000x1" -- $KEYMAC $R --model "$MLP" --array 100000x1
expect_error "keygen geometry" "abc" -- $KEYMAC keygen --array abc --out "$TMP/never.key"
[ ! -e "$TMP/never.key" ] || fail "keygen left a key file after an error"

$KEYMAC lock --model "$MLP" --array 16x16 --key "$TMP/k16.key" --out "$TMP/m.kmpkg" --calib 200 >/dev/null
expect_error "package on another geometry" "locked for a 16x16 array" -- $KEYMAC $R --model "$TMP/m.kmpkg" --key "$TMP/k16.key" --array 8x8
expect_error "package without key" "needs --key" -- $KEYMAC $R --model "$TMP/m.kmpkg"
expect_error "package with other-geometry key" "$TMP/k8.key" -- $KEYMAC $R --model "$TMP/m.kmpkg" --key "$TMP/k8.key"
cp "$TMP/m.kmpkg" "$TMP/bad.kmpkg"
printf '\x55\x55\x55\x55' | dd of="$TMP/bad.kmpkg" bs=1 seek=$(( $(stat -c %s "$TMP/m.kmpkg") - 50 )) conv=notrunc status=none
expect_error "corrupted package" "$TMP/bad.kmpkg" -- $KEYMAC $R --model "$TMP/bad.kmpkg" --key "$TMP/k16.key"

expect_error "unreadable dataset" "/nonexistent/fmnist" -- $KEYMAC $R --model "$MLP" --data-dir /nonexistent/fmnist --json "$TMP/never.json"
mkdir "$TMP/baddata"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  head -c 2000 "/usr/share/datasets/fashion-mnist/$f" >"$TMP/baddata/$f"
done
expect_error "truncated dataset" "$TMP/baddata/" -- $KEYMAC $R --model "$MLP" --data-dir "$TMP/baddata" --json "$TMP/never.json"
[ ! -e "$TMP/never.json" ] || fail "a JSON report was left behind after an error"
expect_error "unknown backend" "unknown backend 'nope'" -- $KEYMAC $R --model "$MLP" --backend nope
expect_error "bad batch" "--batch" -- $KEYMAC $R --model "$MLP" --batch 0
expect_error "bad trace window" "--trace-window" -- $KEYMAC $R --model "$MLP" --trace-window 9:3
echo '{"ideal": false, "bogus": 1}' >"$TMP/mem_bad.json"
expect_error "memory config unknown key" "unknown memory parameter 'bogus'" -- $KEYMAC $R --model "$MLP" --backend systemc --mem-config "$TMP/mem_bad.json"
echo '{"ideal": false,' >"$TMP/mem_broken.json"
expect_error "memory config not JSON" "$TMP/mem_broken.json" -- $KEYMAC $R --model "$MLP" --backend systemc --mem-config "$TMP/mem_broken.json"
expect_error "zero DRAM bandwidth" "--dram-bw" -- $KEYMAC $R --model "$MLP" --backend systemc --finite-memory --dram-bw 0
expect_error "buffer smaller than a tile" "sram" -- $KEYMAC $R --model "$MLP" --backend systemc --finite-memory --array 256x256 --abuf-kib 1
echo "all bad-input checks passed"
