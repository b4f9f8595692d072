#!/usr/bin/env bash
# Bad outputs, hostile names, bad option values, concurrency (docs/RELIABILITY.md):
# each case checks the exit code, that stderr is exactly one line starting
# with "keymac:" (and naming the file or option), that no temporary file is
# left next to the target, and that no target was replaced.
source "$(dirname "$0")/lib.sh"
export CI=1
# KEYMAC_KEEP_GOING=1: report every failing case instead of stopping at the
# first (to list what an older binary gets wrong).
if [ "${KEYMAC_KEEP_GOING:-0}" = 1 ]; then fail() { echo "FAIL: $*" >&2; return 0; }; fi
MLP="$KEYMAC_SRC/models/fmnist_mlp.onnx"
R=(run --model "$MLP" --array 4x4 --limit 20 --wrong-keys 1 --seed 1 --no-progress)
cd "$TMP"

# case NAME CODE FRAGMENT -- CMD...: exit code CODE (0: stderr may be empty),
# else one stderr line "keymac: ...FRAGMENT...".
case_() {
  local name=$1 code=$2 frag=$3; shift 4
  local rc=0
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null || rc=$?
  [ "$rc" -eq "$code" ] || { cat "$TMP/err" >&2; fail "$name: exit code $rc, expected $code"; }
  if [ "$code" -ne 0 ]; then
    [ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "$name: expected one line on stderr"; }
    grep -q '^keymac: ' "$TMP/err" || { cat "$TMP/err" >&2; fail "$name: stderr does not start with 'keymac: '"; }
    grep -qF -- "$frag" "$TMP/err" || { cat "$TMP/err" >&2; fail "$name: stderr does not mention '$frag'"; }
  fi
  echo "ok: $name -> rc $rc $(head -c 200 "$TMP/err")"
}
# no_temps DIR: nothing but what the test made (no .*.keymac-* or *.tmp.* files).
no_temps() {
  if ls -A "$1" | grep -E '\.keymac-|\.tmp\.' >/dev/null; then ls -A "$1" >&2; fail "temporary files left in $1"; fi
}
dev_id() { stat -c '%F %i %t:%T' "$1"; }
# Device targets handed to keymac: as root, private nodes (c 1 3 = null,
# c 1 7 = full), so a keymac that renames over its target (as old builds did)
# cannot replace the system's /dev/null or /dev/full.
if [ "$(id -u)" -eq 0 ]; then
  mknod "$TMP/null" c 1 3 && mknod "$TMP/full" c 1 7
  NULLDEV=$TMP/null FULLDEV=$TMP/full
else
  NULLDEV=/dev/null FULLDEV=/dev/full
fi

$KEYMAC keygen --array 4x4 --out k.key >/dev/null

# --- Outputs: devices, pipes, FIFOs and "-" are streamed to, never replaced
before=$(dev_id $NULLDEV)
case_ "keygen --out /dev/null" 0 "" -- $KEYMAC keygen --array 4x4 --out $NULLDEV
case_ "run --json /dev/null" 0 "" -- $KEYMAC "${R[@]}" --key k.key --json $NULLDEV
case_ "run --save-key /dev/null" 0 "" -- $KEYMAC "${R[@]}" --save-key $NULLDEV
[ "$(dev_id $NULLDEV)" = "$before" ] || fail "/dev/null was replaced: $(dev_id $NULLDEV)"
mkfifo fifo
(cat fifo >fifo.out &)
case_ "keygen --out FIFO" 0 "" -- $KEYMAC keygen --array 4x4 --out fifo
sleep 0.2
[ -p fifo ] || fail "the FIFO was replaced"
grep -q '^array 4x4' fifo.out || fail "nothing came through the FIFO"
# --out /dev/stdout (or /proc/self/fd/1) with stdout redirected to a file: the
# key and the message both land in the file. (Old builds renamed a temporary
# file over the path: /dev/stdout is only tried when KEYMAC_KEEP_GOING is off,
# since as root that would replace the system's /dev/stdout link.)
outs=(/proc/self/fd/1)
[ "${KEYMAC_KEEP_GOING:-0}" = 1 ] || outs+=(/dev/stdout)
for o in "${outs[@]}"; do
  rm -f stdout.txt
  case_ "keygen --out $o > FILE" 0 "" -- bash -c 'exec "$@" >stdout.txt' _ $KEYMAC keygen --array 4x4 --out "$o"
  [ -f stdout.txt ] && grep -q '^array 4x4' stdout.txt && grep -q '^wrote 16-bit key' stdout.txt || fail "--out $o into a file lost output: $(cat stdout.txt)"
done
case_ "run --json - (stdout)" 0 "" -- $KEYMAC "${R[@]}" --key k.key --json -
grep -q '"accuracy"' out || fail "--json - did not write the report to stdout"
mkdir adir
case_ "keygen --out DIR" 1 "adir: is a directory" -- $KEYMAC keygen --array 4x4 --out adir
case_ "run --json DIR" 1 "adir: is a directory" -- $KEYMAC "${R[@]}" --key k.key --json adir
[ -z "$(ls -A adir)" ] || fail "something was written into the directory"
# A symlink to a file: the link stays, the file it points at is rewritten (0600 for a key).
cp k.key real.key; chmod 644 real.key; ln -s real.key link.key
case_ "keygen --out LINK" 0 "" -- $KEYMAC keygen --array 4x4 --out link.key
[ -L link.key ] || fail "the symlink was replaced by a regular file"
cmp -s k.key real.key && fail "the link's target was not rewritten"
[ "$(stat -c %a real.key)" = 600 ] || fail "key written through a link is mode $(stat -c %a real.key), not 600"
ln -s nowhere/at/all dangling.key
case_ "keygen --out dangling link" 1 "dangling.key: is a symbolic link to a missing file" -- $KEYMAC keygen --array 4x4 --out dangling.key
[ ! -e nowhere ] || fail "a dangling link's target was created"
# The old writer opened PATH.tmp.PID (O_CREAT|O_TRUNC, following links): a planted link got the key.
echo untouched >victim
bash -c 'ln -s victim planted.key.tmp.$$; exec "$0" keygen --array 4x4 --out planted.key' "$KEYMAC" >/dev/null
[ "$(cat victim)" = untouched ] || fail "the key went through a planted symlink into victim"
rm -f planted.key.tmp.*
# Key files are 0600 (keygen --out, run --save-key), whatever the umask.
(umask 000; $KEYMAC keygen --array 4x4 --out mode.key >/dev/null; $KEYMAC "${R[@]}" --save-key saved.key >/dev/null)
[ "$(stat -c %a mode.key)" = 600 ] || fail "keygen --out: mode $(stat -c %a mode.key)"
[ "$(stat -c %a saved.key)" = 600 ] || fail "run --save-key: mode $(stat -c %a saved.key)"
# As root, permission and process-limit cases run as nobody.
AS_USER=()
if [ "$(id -u)" -eq 0 ]; then AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups); chmod 711 "$TMP"; fi
mkdir -m 777 pub && mkdir pub/ro && chmod 555 pub/ro
case_ "keygen into a read-only dir" 1 "pub/ro/k.key: cannot write: Permission denied" -- "${AS_USER[@]}" $KEYMAC keygen --array 4x4 --out pub/ro/k.key
[ -z "$(ls -A pub/ro)" ] || fail "something was left in the read-only dir"
# More threads than the process limit allows: the threads that start share the work.
case_ "--threads 64 under ulimit -u 8" 0 "" -- "${AS_USER[@]}" bash -c 'ulimit -u 8; exec "$@"' _ $KEYMAC "${R[@]}" --threads 64 --json pub/t.json
grep -q terminate "$TMP/err" && fail "--threads under a process limit: $(cat "$TMP/err")"

# --- Failed writes to stdout: one line, non-zero exit
case_ "keygen > /dev/full" 1 "stdout: write failed: No space left on device" -- bash -c "exec \"\$0\" keygen --array 4x4 --out k2.key >/dev/full" "$KEYMAC"
case_ "run > /dev/full" 1 "stdout: write failed" -- bash -c 'exec "$@" >/dev/full' _ $KEYMAC "${R[@]}" --key k.key
case_ "keygen --out /dev/full" 1 "$FULLDEV: write failed: No space left on device" -- $KEYMAC keygen --array 4x4 --out $FULLDEV
[ -c $FULLDEV ] || fail "/dev/full was replaced"
cat >spec.json <<J
{"name": "tiny", "base": {"model": "$MLP", "limit": 20, "wrong_keys": 1, "seed": 1, "key": "$TMP/k.key"},
 "axes": {"array": ["4x4"], "batch": [16, 32]}}
J
case_ "sweep --dry-run > /dev/full" 1 "stdout: write failed" -- bash -c 'exec "$@" >/dev/full' _ $KEYMAC sweep spec.json --dry-run
# EPIPE: stdout is a pipe whose reader has already gone.
closed_pipe() {
  "$PY" - "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe(); os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
sys.stderr.write(p.stderr.decode()); sys.exit(p.returncode)
PY
}
case_ "keygen --out - into a closed pipe" 1 "-: write failed: Broken pipe" -- closed_pipe $KEYMAC keygen --array 4x4 --out -
case_ "keygen's message into a closed pipe" 1 "stdout: write failed: Broken pipe" -- closed_pipe $KEYMAC keygen --array 4x4 --out k3.key
# A SystemC VCD on a full disk: one line, non-zero, no 0-byte file as if complete.
case_ "systemc --vcd /dev/full" 1 "$FULLDEV: write failed: No space left on device" -- $KEYMAC "${R[@]}" --key k.key --backend systemc --vcd $FULLDEV --trace-window 0:2000
[ ! -e $FULLDEV.vcd ] || { rm -f $FULLDEV.vcd; fail "the SystemC VCD went to $FULLDEV.vcd"; }
# The RTL backend's VCD past the file-size limit (like a full disk): one line, no
# hang (Verilator's fatal handler used to deadlock on its trace mutex).
if [ "${KEYMAC_HAS_RTL:-0}" = 1 ]; then
  $KEYMAC keygen --array 4x4 --out k4.key >/dev/null
  case_ "rtl --vcd past the file-size limit" 1 "rtl.vcd: trace write failed: File too large" -- \
    timeout 120 bash -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' _ $KEYMAC "${R[@]}" --key k4.key --backend rtl \
    --vcd rtl.vcd --trace-window 0:100000 --force-trace
  [ ! -e rtl.vcd ] || fail "a partial RTL VCD was left as if complete"
  case_ "rtl --vcd /dev/full" 1 "$FULLDEV: write failed: No space left on device" -- \
    timeout 120 $KEYMAC "${R[@]}" --key k4.key --backend rtl --vcd $FULLDEV --trace-window 0:300
fi
no_temps .
for d in "${TMPDIR:-/tmp}"/keymac-vcd-* "${TMPDIR:-/tmp}"/keymac-rtl-*; do
  [ -e "$d" ] || continue
  pid=${d##*/keymac-???-}; pid=${pid%%-*}
  kill -0 "$pid" 2>/dev/null || fail "temp dir $d of a finished keymac left behind"
done

# --- Commands built from user text
H="$TMP/h'q \$(touch $TMP/pwned); é"
mkdir -p "$H"
cp spec.json "$H/spec.json"
case_ "emit parallel into a hostile dir" 0 "" -- $KEYMAC sweep "$H/spec.json" --emit parallel --shards 2 --out "$H/out"
bash -n "$H/out/tiny.parallel.sh" || fail "the parallel launcher is not valid bash"
bash "$H/out/tiny.parallel.sh" >/dev/null 2>&1 || fail "the parallel launcher failed on a hostile path"
[ -s "$H/out/shard-1-of-2.jsonl" ] && [ -s "$H/out/shard-2-of-2.jsonl" ] || fail "the parallel launcher did not write its shards"
[ ! -e "$TMP/pwned" ] || fail "a command in a path ran"
case_ "emit slurm with a hostile spec path" 0 "" -- $KEYMAC sweep "$H/spec.json" --emit slurm --shards 1 --out plain_out
bash -n plain_out/tiny.sbatch || fail "the sbatch script is not valid bash"
SLURM_ARRAY_TASK_ID=1 bash plain_out/tiny.sbatch >/dev/null 2>&1 || fail "the sbatch script failed"
[ -s plain_out/shard-1-of-1.jsonl ] || fail "the sbatch script wrote no results"
[ ! -e "$TMP/pwned" ] || fail "a command in a path ran"
case_ "emit slurm into a hostile dir" 1 "a Slurm #SBATCH line cannot hold" -- $KEYMAC sweep spec.json --emit slurm --shards 1 --out "$H/slurm"
[ ! -e "$H/slurm" ] || fail "refused --emit left a directory"
printf '{"name": "x\\nrm -rf ~\\n", "base": {"model": "%s", "limit": 20}, "axes": {"batch": [16]}}' "$MLP" >nl.json
case_ "sweep name with a newline" 1 "sweep name must be letters" -- $KEYMAC sweep nl.json --emit slurm --out nl_out
[ ! -e nl_out ] || fail "refused --emit left a directory"
case_ "emit with a newline in --out" 1 "control character" -- $KEYMAC sweep spec.json --emit parallel --out "$TMP/a
b"
case_ "synth --work-dir with a command" 1 "--work-dir: a Yosys script cannot hold this path" -- $KEYMAC synth --array 4x4 --work-dir "$TMP/w'\$(touch $TMP/pwned)'"
[ ! -e "$TMP/pwned" ] || fail "synth --work-dir ran a command"
$KEYMAC sweep spec.json -o res.jsonl >/dev/null 2>&1
case_ "plot into a dir with backquotes" 0 "" -- $KEYMAC plot res.jsonl -o "p\`touch pwned\`"
ls "p\`touch pwned\`"/*.png >/dev/null || fail "plot wrote no PNG into the backquoted directory"
[ ! -e "$TMP/pwned" ] || fail "gnuplot ran a backquoted command from the output path"

# --- CLI values: keymac's one-line format, exit code 2
# opt_case NAME FRAGMENT OPTION VALUE: `run` with OPTION VALUE given once (the
# other options of R stay, except OPTION itself).
opt_case() {
  local name=$1 frag=$2 opt=$3 val=$4 args=() i
  for ((i = 0; i < ${#R[@]}; i++)); do
    if [ "${R[$i]}" = "$opt" ]; then i=$((i + 1)); else args+=("${R[$i]}"); fi
  done
  case_ "$name" 2 "$frag" -- $KEYMAC "${args[@]}" "$opt" "$val"
}
opt_case "--limit 0" "keymac: --limit: must be 1.." --limit 0
opt_case "--limit -5" "--limit: must be" --limit -5
opt_case "--threads -3" "--threads: must be 0..1024" --threads -3
opt_case "--threads 20000" "--threads: must be 0..1024, not 20000" --threads 20000
opt_case "--threads abc" "--threads: 'abc' is not an integer" --threads abc
opt_case "--seed -1" "--seed: must be 0.." --seed -1
opt_case "--batch 0" "--batch: must be" --batch 0
opt_case "--wrong-keys -1" "--wrong-keys: must be" --wrong-keys -1
opt_case "--clock-mhz 0" "--clock-mhz: must be > 0" --clock-mhz 0
opt_case "--clock-mhz nan" "--clock-mhz: 'nan' is not a finite number" --clock-mhz nan
opt_case "--trace-window -5:10" "--trace-window:" --trace-window -5:10
case_ "sweep -j 0" 2 "--jobs: must be 1..1024" -- $KEYMAC sweep spec.json -j 0 -o never.jsonl
case_ "unknown option" 2 "--frobnicate" -- $KEYMAC "${R[@]}" --frobnicate
[ ! -e never.jsonl ] || fail "a refused sweep created its results file"

# --- Concurrency and interruption
cat >slow.json <<J
{"name": "slow", "base": {"model": "$MLP", "limit": 10000, "wrong_keys": 10, "seed": 1, "key": "$TMP/k.key"},
 "axes": {"array": ["4x4"], "batch": [8, 16, 32, 64]}}
J
$KEYMAC sweep slow.json -o locked.jsonl --resume >/dev/null 2>&1 &
first=$!
for _ in $(seq 1 100); do [ -e locked.jsonl ] && break; sleep 0.1; done  # the writer locks as it creates the file
case_ "second writer on one results file" 1 "in use by another keymac sweep (pid $first)" -- $KEYMAC sweep slow.json -o locked.jsonl --resume
wait $first || fail "the first sweep failed"
python3 - locked.jsonl <<'PY'
import json, sys, collections
ids = collections.Counter(json.loads(l)["id"] for l in open(sys.argv[1]))
dup = [k for k, n in ids.items() if n > 1]
sys.exit(f"FAIL: points written twice: {dup}") if dup or len(ids) != 4 else print(f"ok: {sum(ids.values())} points, none twice")
PY
# A stale temp dir of a killed sweep (its pid is gone) is removed by the next sweep.
mkdir -p tmpd/keymac-sweep-4194303-abcdef; echo '{}' >tmpd/keymac-sweep-4194303-abcdef/report.json
TMPDIR="$TMP/tmpd" $KEYMAC sweep spec.json -o stale.jsonl >/dev/null 2>&1
[ ! -e tmpd/keymac-sweep-4194303-abcdef ] || fail "a stale keymac-sweep temp dir was not cleaned"
echo "ok: stale temp dir removed"
# lock stops at the next safe point on Ctrl-C: exit 130, no package.
$KEYMAC lock --model "$MLP" --array 4x4 --key k.key --out p.kmpkg --calib 60000 >/dev/null 2>lock.err &
lp=$!
sleep 1  # past start-up (libtorch initialises before main) and into calibration
kill -INT $lp
rc=0; wait $lp || rc=$?
[ "$rc" -eq 130 ] || { cat lock.err >&2; fail "lock after Ctrl-C: exit $rc, expected 130"; }
[ ! -e p.kmpkg ] || fail "lock wrote a package after Ctrl-C"
echo "ok: lock Ctrl-C -> rc 130 $(cat lock.err)"
no_temps .
echo "all bad-output cases passed"
