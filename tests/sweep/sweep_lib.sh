# Helpers of the sweep tests (on top of tests/e2e/lib.sh).
source "$KEYMAC_SRC/tests/e2e/lib.sh"
export CI=${CI:-1}   # no progress bars in test logs
# make_keys DIR RxC...: fixed key files DIR/RxC.key for deterministic points.
make_keys() {
  local d=$1; shift
  mkdir -p "$d"
  for a in "$@"; do $KEYMAC keygen --array "$a" --out "$d/$a.key" >/dev/null; done
}
# same_results A B: both JSONL files hold the same point ids, each exactly
# once, with equal deterministic results (accuracies, cycles, utilisation,
# per-layer figures); host, timestamps and elapsed time are ignored.
same_results() {
  "$PY" - "$1" "$2" <<'PY'
import json, sys
def load(p):
    d = {}
    for n, line in enumerate(open(p), 1):
        r = json.loads(line)
        if r["id"] in d:
            sys.exit(f"FAIL: {p}: point {r['id']} appears twice (line {n})")
        rep = r["report"]
        d[r["id"]] = {"params": r["params"], "images": rep["images"], "accuracy": rep["accuracy"],
                      "cycles": rep["cycles"], "utilisation": rep["utilisation"],
                      "layers": [(l["name"], l["cycles"], l["cycles_plain"], l["stall_cycles"]) for l in rep["layers"]]}
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
if set(a) != set(b):
    sys.exit(f"FAIL: point sets differ: only in {sys.argv[1]}: {sorted(set(a)-set(b))}, only in {sys.argv[2]}: {sorted(set(b)-set(a))}")
for k in a:
    if a[k] != b[k]:
        sys.exit(f"FAIL: point {k} differs:\n{a[k]}\n{b[k]}")
print(f"ok: {len(a)} points, each once, identical results")
PY
}
