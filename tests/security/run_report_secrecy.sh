#!/usr/bin/env bash
# Issue 15: `keymac run`'s report does not give the key away (no wrong-key
# seed next to per-key distances), and after Ctrl-C only finished wrong keys
# are counted.
source "$(dirname "$0")/../e2e/lib.sh"
$KEYMAC run --limit 200 --wrong-keys 4 --no-progress --json "$TMP/a.json" >/dev/null
[ "$(json "$TMP/a.json" "'wrong_key_seed' in r or 'seed' in r")" = False ] || fail "report records the wrong-key seed"
[ "$(json "$TMP/a.json" "sorted(r['accuracy']['wrong_key']['hamming_distance'].keys())")" = "['max', 'mean', 'min']" ] \
  || fail "per-key Hamming distances in the report"
[ "$(json "$TMP/a.json" "len(r['accuracy']['wrong_key']['values'])")" = 4 ] || fail "per-key accuracies missing"
$KEYMAC run --limit 200 --wrong-keys 4 --seed 9 --no-progress --json "$TMP/b.json" >/dev/null
[ "$(json "$TMP/b.json" "('values' in r['accuracy']['wrong_key'], r['accuracy']['wrong_key']['n'])")" = "(False, 4)" ] \
  || fail "with --seed the report must hold aggregates only"
# Two runs without --seed use different wrong keys (a per-run secret).
$KEYMAC run --limit 200 --wrong-keys 4 --no-progress --json "$TMP/c.json" >/dev/null
[ "$(json "$TMP/a.json" "r['accuracy']['wrong_key']['values']")" != "$(json "$TMP/c.json" "r['accuracy']['wrong_key']['values']")" ] \
  || fail "two runs drew the same wrong keys"
# Ctrl-C in the middle of the wrong keys: n finished < n_requested, and the
# statistics are over the finished keys only.
# (A run of minutes: 2,000 wrong keys over the full test set, one thread.)
$KEYMAC run --wrong-keys 2000 --threads 1 --no-progress --json "$TMP/i.json" >/dev/null 2>&1 &
pid=$!
sleep 8
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc = 130 ] || fail "exit code $rc after Ctrl-C"
"$PY" - "$TMP/i.json" <<'PYEOF' || fail "interrupted wrong-key statistics count unfinished keys"
import json, sys
r = json.load(open(sys.argv[1]))
w = r["accuracy"]["wrong_key"]
assert r["complete"] is False
assert w["n_requested"] == 2000 and w["n"] < 2000, w["n"]
assert len(w["values"]) == w["n"]
if w["n"]:
    assert abs(w["mean"] - sum(w["values"]) / w["n"]) < 1e-9
    assert w["min"] == min(w["values"]) and w["min"] > 0
print("interrupted after", w["n"], "of 2000 wrong keys; mean", w["mean"])
PYEOF
echo "ok: run report secrecy and interrupted statistics"
