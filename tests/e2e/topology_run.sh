#!/usr/bin/env bash
# `keymac run --topology`: SCALE-Sim's conv and GEMM topologies with its config
# and a plain M,K,N list give per-layer cycles next to SCALE-Sim's (text and
# JSON), SCALE-Sim traces + reports that pandas reads the way SCALE-Sim's
# loader does, and Accelergy inputs; model-only options are refused.
source "$(dirname "$0")/lib.sh"
REF="$KEYMAC_SRC/tests/traces/data/scalesim_ref"
$KEYMAC run --topology "$REF/conv.csv" --config "$REF/ws16.cfg" --json "$TMP/conv.json" \
  --scalesim-trace "$TMP/ss" --scalesim-per-layer-cycles --accelergy-dir "$TMP/acc" >"$TMP/conv.txt"
grep -q "SCALE-Sim" "$TMP/conv.txt" || fail "text report has no SCALE-Sim column"
grep -q "^conv28x28x1_5x5x8 " "$TMP/conv.txt" || fail "text report has no per-layer line"
[ "$(json "$TMP/conv.json" "len(r['layers'])")" = 2 ] || fail "2 layers expected"
[ "$(json "$TMP/conv.json" "all(l['cycles'] > 0 and l['scalesim_cycles'] > l['cycles'] for l in r['layers'])")" = True ] \
  || fail "layers[].cycles / scalesim_cycles"
for f in COMPUTE_REPORT BANDWIDTH_REPORT DETAILED_ACCESS_REPORT; do [ -s "$TMP/ss/$f.csv" ] || fail "$f.csv missing"; done
[ "$(head -1 "$TMP/ss/layer1/FILTER_SRAM_TRACE.csv" | cut -d, -f1)" = 0 ] || fail "per-layer cycles do not start at 0"
for f in arch components action_counts; do [ -s "$TMP/acc/$f.yaml" ] || fail "$f.yaml missing"; done
"$PY" -c "import pandas" 2>/dev/null || fail "python3-pandas is missing (scripts/setup.sh installs it)"
  # SCALE-Sim's scalesim_report.py reads the reports with exactly this call.
  "$PY" - "$TMP/ss" "$TMP/conv.json" <<'PY'
import json, sys, pandas as pd
d, r = sys.argv[1], json.load(open(sys.argv[2]))
c = pd.read_csv(d + '/COMPUTE_REPORT.csv', sep=r'\s*,\s*', engine='python')
assert c['Total Cycles'].to_list() == [l['cycles'] for l in r['layers']], c
b = pd.read_csv(d + '/BANDWIDTH_REPORT.csv', sep=r'\s*,\s*', engine='python')
assert len(b['Avg IFMAP SRAM BW']) == 2
x = pd.read_csv(d + '/DETAILED_ACCESS_REPORT.csv', sep=r'\s*,\s*', engine='python')
assert x['SRAM Filter Reads'].to_list() == [l['k'] * l['n'] for l in r['layers']], x
print("ok: pandas reads the reports as SCALE-Sim's loader does")
PY
printf 'Layer Name, M, N, K,\nfc, 256, 256, 256,\n' >"$TMP/g.csv"
$KEYMAC run --topology "$TMP/g.csv" --array 16x16 --json "$TMP/g.json" >/dev/null
[ "$(json "$TMP/g.json" "(r['layers'][0]['cycles'], r['layers'][0]['scalesim_cycles'])")" = "(65568, 77311)" ] \
  || fail "256^3 on 16x16: 65568 keymac / 77311 SCALE-Sim cycles expected"
printf '256,256,256\n' >"$TMP/l.txt"
$KEYMAC run --topology "$TMP/l.txt" >/dev/null
expect_error topology_no_file "nope.csv" -- $KEYMAC run --topology "$TMP/nope.csv"
# A usage error (CLI11 adds its "Run with --help" line).
rc=0; $KEYMAC run --topology "$TMP/l.txt" --model x.onnx >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -q -- "--model excludes --topology" "$TMP/err" \
  || fail "--topology with --model must be refused"
printf '[architecture_presets]\nDataflow: os\n' >"$TMP/os.cfg"
expect_error topology_os "Dataflow 'os' not supported" -- $KEYMAC run --topology "$TMP/l.txt" --config "$TMP/os.cfg"
# A model run: the CNN's first convolution reads input pixels (28x28x1 = 784 distinct
# addresses, NHWC as SCALE-Sim), not im2col's M*K; per-layer cycles from 0; reports written.
$KEYMAC run --model "$KEYMAC_SRC/models/fmnist_cnn.onnx" --limit 2 --batch 1 --wrong-keys 0 --calib 50 \
  --no-progress --scalesim-trace "$TMP/cnn" --scalesim-per-layer-cycles --trace-window 0:100000 >/dev/null
"$PY" - "$TMP/cnn" <<'PY'
import csv, sys
d = sys.argv[1]
addrs = {int(a) for row in csv.reader(open(d + '/layer0/IFMAP_SRAM_TRACE.csv')) for a in row[1:] if a != '-1'}
assert addrs == set(range(784)), (len(addrs), min(addrs), max(addrs))
assert next(csv.reader(open(d + '/layer1/FILTER_SRAM_TRACE.csv')))[0] == '0'
assert open(d + '/COMPUTE_REPORT.csv').readline().startswith('LayerID, Total Cycles, Stall Cycles')
print("ok: CNN conv1 reads the 784 input pixels")
PY
echo "topology_run: ok"
