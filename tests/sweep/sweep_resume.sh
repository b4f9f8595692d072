#!/usr/bin/env bash
# A sweep killed with SIGKILL after at least one point finished loses no
# finished point; --resume runs only the rest, and the result has every point
# exactly once, equal to an uninterrupted run. Also: SIGTERM stops cleanly.
source "$KEYMAC_SRC/tests/sweep/sweep_lib.sh"
cd "$TMP"
make_keys keys 8x8 16x16
cat >spec.json <<'J'
{"name": "resume", "base": {"model": "models/fmnist_cnn.onnx", "limit": 500, "wrong_keys": 2, "seed": 3,
  "key": "keys/{array}.key"},
 "axes": {"array": ["8x8", "16x16"], "batch": [64, 128, 256]}}
J
$KEYMAC sweep spec.json -o full.jsonl >/dev/null
[ "$(wc -l <full.jsonl)" -eq 6 ] || fail "uninterrupted sweep: expected 6 lines"

$KEYMAC sweep spec.json -o part.jsonl >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do  # until at least one point has finished (<= 60 s)
  [ -s part.jsonl ] && break
  sleep 0.1
done
[ -s part.jsonl ] || { kill -9 $pid; fail "no point finished within 60 s"; }
kill -9 $pid; wait $pid 2>/dev/null || true
n=$(wc -l <part.jsonl)
echo "killed after $n finished point(s)"
[ "$n" -lt 6 ] || fail "the sweep finished before it was killed; nothing to resume"
tail -c 1 part.jsonl | od -c | grep -q '\\n' || fail "a partial line was left behind"
expect_error "no resume" "--resume" -- $KEYMAC sweep spec.json -o part.jsonl
out=$($KEYMAC sweep spec.json -o part.jsonl --resume)
echo "$out"
echo "$out" | grep -q "$((6 - n)) done, $n already in part.jsonl" || fail "resume did not skip exactly the $n finished points"
same_results full.jsonl part.jsonl

# SIGTERM: points in flight are abandoned, never written half; exit 130.
$KEYMAC sweep spec.json -o term.jsonl >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -s term.jsonl ] && break; sleep 0.1; done
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] || fail "SIGTERM: exit code $rc (expected 130)"
"$PY" -c "import json,sys; [json.loads(l) for l in open('term.jsonl')]" || fail "SIGTERM left a broken line"
$KEYMAC sweep spec.json -o term.jsonl --resume >/dev/null
same_results full.jsonl term.jsonl
