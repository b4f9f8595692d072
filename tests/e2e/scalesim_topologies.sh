#!/usr/bin/env bash
# `keymac run --topology` on SCALE-Sim's own example topologies (copied unchanged
# into tests/traces/data/scalesim_topologies/, see its README) runs, and every
# layer's M, K, N, keymac cycles and SCALE-Sim cycles equal an independent
# reading of the CSV here: SCALE-Sim's lowering (ofmap ceil((H - FH + S) / S),
# M = ofmap pixels, K = FH*FW*C, N = filters; GEMM rows M,N,K) and the two
# closed forms of docs/SCALESIM.md (keymac (F-1)*max(M,R) + M + R + C,
# SCALE-Sim F*(2R + C + M - 2) - 1, F = ceil(K/R)*ceil(N/C)).
source "$(dirname "$0")/lib.sh"
D="$KEYMAC_SRC/tests/traces/data/scalesim_topologies"
CFG="$KEYMAC_SRC/tests/traces/data/scalesim_ref/ws16.cfg"
for t in alexnet Resnet18 mobilnet_4k DeepBenchLSTM NCF; do
  $KEYMAC run --topology "$D/$t.csv" --config "$CFG" --json "$TMP/$t.json" >"$TMP/$t.txt"
  "$PY" - "$D/$t.csv" "$TMP/$t.json" <<'PY'
import json, math, sys
path, rep = sys.argv[1], json.load(open(sys.argv[2]))
R = C = 16
rows = [l.split(",") for l in open(path).read().splitlines()[1:]]
rows = [[f.strip() for f in r] for r in rows if any(f.strip() for f in r)]
want = []
for r in rows:
    if len(r) >= 8 and r[1].isdigit() and r[7].isdigit():     # conv: name, H, W, FH, FW, C, N, S
        h, w, fh, fw, c, n, s = (int(x) for x in r[1:8])
        m = math.ceil((h - fh + s) / s) * math.ceil((w - fw + s) / s)
        want.append((r[0], m, fh * fw * c, n))
    else:                                                     # GEMM: name, M, N, K
        want.append((r[0], int(r[1]), int(r[3]), int(r[2])))
got = rep["layers"]
assert len(got) == len(want), (path, len(got), len(want))
for g, (name, m, k, n) in zip(got, want):
    assert (g["name"], g["m"], g["k"], g["n"]) == (name, m, k, n), (g["name"], g["m"], g["k"], g["n"], name, m, k, n)
    F = math.ceil(k / R) * math.ceil(n / C)
    assert g["cycles"] == (F - 1) * max(m, R) + m + R + C, (name, g["cycles"])
    assert g["scalesim_cycles"] == F * (2 * R + C + m - 2) - 1, (name, g["scalesim_cycles"])
print(f"ok: {path.rsplit('/', 1)[1]}: {len(got)} layers as SCALE-Sim lowers them, cycles = the closed forms")
PY
done
# The real SCALE-Sim's report for DeepBenchLSTM on 16x16 WS (README): its Total
# Cycles per layer are keymac's scalesim_cycles.
"$PY" - "$D/DeepBenchLSTM_16x16_ws_COMPUTE_REPORT.csv" "$TMP/DeepBenchLSTM.json" <<'PY'
import csv, json, sys
ref = [int(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:] if r]
got = [l["scalesim_cycles"] for l in json.load(open(sys.argv[2]))["layers"]]
assert ref == got, (ref, got)
print(f"ok: DeepBenchLSTM: the real SCALE-Sim's Total Cycles of all {len(ref)} layers = keymac's scalesim_cycles")
PY
echo "scalesim_topologies ok"
