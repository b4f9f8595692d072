#!/usr/bin/env bash
# No output of any command holds the key (docs/RELIABILITY.md, "Key material
# in files and traces"): every file written and every stdout/stderr is searched
# for the key in every encoding -- hex rows (as in the key file, either case,
# with or without line breaks), bit strings row-major and column-major, each
# in both bit orders (also with VCD's leading zeros stripped), packed bytes
# (MSB- and LSB-first, binary search), the serial key-port stream in any
# 1-bit VCD signal (each bit held 1..4 time steps), and SAIF toggle counts of
# key nets that differ from bit to bit. A positive control (--trace-key) must
# be found, so the search itself is known to work. Key files must be 0600.
source "$(dirname "$0")/lib.sh"
export CI=1
MLP="$KEYMAC_SRC/models/fmnist_mlp.onnx"
cd "$TMP"
mkdir out
K=(--limit 20 --wrong-keys 2 --seed 5 --no-progress)
n=0
# cmd ARGS...: runs keymac, keeping stdout and stderr as outputs to search.
cmd() { n=$((n + 1)); "$KEYMAC" "$@" >"out/$n.stdout" 2>"out/$n.stderr" || fail "keymac $* failed: $(cat out/$n.stderr)"; }

umask 022
cmd keygen --array 16x16 --out key.txt
[ "$(stat -c %a key.txt)" = 600 ] || fail "keygen --out: mode $(stat -c %a key.txt), not 600"
cmd lock --model "$MLP" --array 16x16 --key key.txt --out out/m.kmpkg --calib 200
cmd run --model out/m.kmpkg --key key.txt "${K[@]}" --json out/pkg.json
cmd run --model "$MLP" --key key.txt "${K[@]}" --json out/run.json --saif out/func.saif --trace-window 0:600 \
    --energy --accelergy-out out/acc.yaml --scalesim-trace out/scalesim
cmd run --model "$MLP" --key key.txt "${K[@]}" --backend systemc --vcd out/sc.vcd --saif out/sc.saif --trace-window 0:600
rc=0; "$KEYMAC" run --model "$MLP" --key key.txt "${K[@]}" --vcd out/func.vcd 2>out/refused.stderr || rc=$?
[ "$rc" -eq 2 ] && [ ! -e out/func.vcd ] || fail "--vcd on the functional backend: exit $rc (expected a refusal, 2)"
if [ "${KEYMAC_HAS_RTL:-0}" = 1 ]; then
  cmd run --model "$MLP" --key key.txt --limit 2 --wrong-keys 0 --no-progress --backend rtl \
      --vcd out/rtl.vcd --saif out/rtl.saif --trace-window 0:400
fi
cat >spec.json <<J
{"name": "leak", "base": {"model": "$MLP", "limit": 20, "wrong_keys": 2, "seed": 1, "key": "$TMP/key.txt"},
 "axes": {"array": ["16x16"], "batch": [16, 32]}}
J
cmd sweep spec.json -o out/sweep.jsonl
cmd sweep merge out/sweep.jsonl -o out/merged.jsonl --csv out/merged.csv
# A fresh key saved with --save-key: 0600, and no other output holds it either.
cmd run --model "$MLP" "${K[@]}" --save-key saved.txt --json out/fresh.json
[ "$(stat -c %a saved.txt)" = 600 ] || fail "run --save-key: mode $(stat -c %a saved.txt), not 600"
# Positive control: with --trace-key the SystemC VCD holds the key port stream.
mkdir control
"$KEYMAC" run --model "$MLP" --key key.txt "${K[@]}" --backend systemc --vcd control/sc.vcd --trace-window 0:600 \
  --trace-key >/dev/null 2>control/stderr
[ "$(grep -c 'warning: --trace-key' control/stderr)" = 1 ] || fail "--trace-key printed no warning"
if [ "${KEYMAC_HAS_RTL:-0}" = 1 ]; then
  "$KEYMAC" run --model "$MLP" --key key.txt --limit 2 --wrong-keys 0 --no-progress --backend rtl \
    --vcd control/rtl.vcd --saif control/rtl.saif --trace-window 0:400 --trace-key >/dev/null 2>&1 || fail "rtl --trace-key run failed"
fi

"$PY" - key.txt saved.txt out control <<'PY'
import os, re, sys
def key_bits(path):
    lines = [l.strip() for l in open(path) if l.strip() and not l.startswith("#")]
    r, c = map(int, lines[0].split()[1].split("x"))
    rows = lines[1:1 + r]
    bits = [[int(b) for b in "".join(f"{int(h, 16):04b}" for h in row)[:c]] for row in rows]
    return r, c, rows, bits
def encodings(path):
    r, c, rows, bits = key_bits(path)
    rm = "".join(str(b) for row in bits for b in row)
    cm = "".join(str(bits[i][j]) for j in range(c) for i in range(r))
    text = {"hex rows": "".join(rows), "hex rows (lines)": "\n".join(rows)}
    for name, s in (("row-major", rm), ("column-major", cm)):
        text[name] = s
        text[name + " reversed"] = s[::-1]
    for name in list(text):
        if "major" in name and text[name].lstrip("0") and len(text[name].lstrip("0")) >= 64:
            text[name + " (leading zeros stripped)"] = text[name].lstrip("0")
    streams = {k: v for k, v in text.items() if "major" in k and "stripped" not in k}
    packed = {}
    for name, s in streams.items():
        for order in ("msb", "lsb"):
            b = bytearray()
            for i in range(0, len(s), 8):
                chunk = s[i:i + 8] if order == "msb" else s[i:i + 8][::-1]
                b.append(int(chunk.ljust(8, "0"), 2))
            packed[f"{name} packed {order}-first"] = bytes(b)
    return text, streams, packed, rm
def vcd_streams(data):
    """Per 1-bit signal: its value at every timestamp (held between changes)."""
    txt = data.decode("latin-1")
    ids = {}
    for m in re.finditer(r"\$var\s+\S+\s+1\s+(\S+)\s+(\S+)", txt):
        ids[m.group(1)] = m.group(2)
    cur = {i: "0" for i in ids}
    out = {i: [] for i in ids}
    for line in txt.splitlines() + ["#end"]:
        if line.startswith("#"):  # the values held during the interval that ends here
            for i in ids: out[i].append(cur[i])
        elif line and line[0] in "01xz" and line[1:] in cur:
            cur[line[1:]] = line[0]
    return {ids[i]: "".join(v) for i, v in out.items()}
KEY_NETS = re.compile(r"^(key_bit_i|key_q|key_o|key|key_i|wr_bit|neg)$")
def saif_key_asymmetry(txt):
    """Nets that hold key bits (the serial port, the key register, the per-PE
    key and sign) whose toggle counts show a 1 or differ from bit to bit."""
    per_net = {}
    for name, t0, t1 in re.findall(r"\((\S+)\s+\(T0 (\d+)\) \(T1 (\d+)\)", txt):
        base = re.sub(r"(\\\[\d+\\\]|\[\d+\])$", "", name)
        if KEY_NETS.match(base):
            per_net.setdefault(base, set()).add((t0, t1))
    return [n for n, v in per_net.items() if len(v) > 1 or any(t1 != "0" for _, t1 in v)]
def search(root, keyfile, skip):
    text, streams, packed, rm = encodings(keyfile)
    hits = []
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            if os.path.abspath(p) in skip: continue
            data = open(p, "rb").read()
            s = data.decode("latin-1")
            for name, t in text.items():
                if t.lower() in s.lower(): hits.append(f"{p}: {name}")
            for name, b in packed.items():
                if b in data: hits.append(f"{p}: {name}")
            if b"$enddefinitions" in data:
                for sig, v in vcd_streams(data).items():
                    for name, st in streams.items():
                        for rep in (1, 2, 3, 4):
                            if "".join(ch * rep for ch in st) in v:
                                hits.append(f"{p}: signal {sig} carries the key stream ({name}, x{rep})"); break
            if p.endswith(".saif"):
                for net in saif_key_asymmetry(s):
                    hits.append(f"{p}: SAIF toggles of {net} depend on the key bit")
    return hits
key, saved, out, control = sys.argv[1:5]
skip = {os.path.abspath(key), os.path.abspath(saved)}
hits = search(out, key, skip) + search(out, saved, skip)
files = sum(len(f) for _, _, f in os.walk(out))
if hits:
    print("\n".join(hits)); sys.exit(f"FAIL: the key is in {len(hits)} place(s)")
print(f"ok: no key encoding in {files} outputs")
ctrl = search(control, key, set())
for f in sorted(os.listdir(control)):
    if f.endswith((".vcd", ".saif")):
        found = [h for h in ctrl if h.startswith(os.path.join(control, f) + ":")]
        if not found:
            sys.exit(f"FAIL: positive control: nothing found in the --trace-key trace {f} (the search does not work)")
        print(f"ok: positive control {f}: {len(found)} finding(s), e.g. {found[0]}")
PY
