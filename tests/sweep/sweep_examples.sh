#!/usr/bin/env bash
# Every example spec in scripts/sweeps/ runs as shipped from a clean copy of
# scripts/ (no key files: keys are drawn per point from the recorded key_seed),
# a few of its points run, and `--emit slurm|parallel` write launchers that run
# (the Slurm script executed as its array task 1 would be; the GNU parallel
# script listed with parallel's --dry-run and its first command run). Nothing
# is written into the copied scripts/ tree.
source "$KEYMAC_SRC/tests/sweep/sweep_lib.sh"
cd "$TMP"
cp -r "$KEYMAC_SRC/scripts" clean-scripts
before=$(cd clean-scripts && find . -type f | sort | xargs sha1sum)
specs=(clean-scripts/sweeps/*.json)
[ ${#specs[@]} -ge 3 ] || fail "expected the example specs in scripts/sweeps, found ${#specs[@]}"
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .json)
  # As shipped: valid, every point's inputs exist (no key files needed).
  $KEYMAC sweep "$spec" --dry-run >"$name.dry" || fail "$name: the shipped spec does not validate"
  n=$(tail -1 "$name.dry" | sed -n 's/.*: \([0-9]*\) points (.*/\1/p')
  [ -n "$n" ] && [ "$n" -gt 0 ] || fail "$name: no point count in: $(tail -1 "$name.dry")"
  grep -q '"key_seed"' "$spec" || fail "$name: no key_seed: points would lock to unrecorded random keys"
  # The shipped spec emits both launchers.
  $KEYMAC sweep "$spec" --emit slurm --shards 4 -o "emit-$name" >/dev/null
  $KEYMAC sweep "$spec" --emit parallel --shards 4 -o "emit-$name" >/dev/null
  for f in "emit-$name/$name.sbatch" "emit-$name/$name.parallel.sh"; do
    [ -x "$f" ] || fail "$f not written"
    bash -n "$f" || fail "$f: shell syntax"
  done
  grep -q "^#SBATCH --array=1-4$" "emit-$name/$name.sbatch" || fail "$name.sbatch: no 4-task array"
  # A fast variant (few test images, few calibration images, one wrong key),
  # sharded so that shard 1 holds 2-3 points.
  "$PY" - "$spec" "fast-$name.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["base"].update({"limit": 16, "wrong_keys": 1, "calib": 100})
s["name"] = "fast_" + s["name"]
json.dump(s, open(sys.argv[2], "w"))
PY
  k=$(( n / 2 ))
  # Slurm launcher, executed as array task 1 would execute it.
  $KEYMAC sweep "fast-$name.json" --emit slurm --shards $k -o "run-$name" >/dev/null
  SLURM_ARRAY_TASK_ID=1 bash "run-$name/fast_$name.sbatch" >"run-$name/task1.log" 2>&1 \
    || { tail -5 "run-$name/task1.log"; fail "$name: the emitted Slurm script failed"; }
  res="run-$name/shard-1-of-$k.jsonl"
  pts=$(wc -l <"$res")
  [ "$pts" -ge 2 ] && [ "$pts" -le 3 ] || fail "$name: shard 1/$k ran $pts points, expected 2-3"
  "$PY" - "$res" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r["params"]["key_seed"] == 1000, r["params"]
    assert r["report"]["accuracy"]["correct_key"] == r["report"]["accuracy"]["reference"], "right key must equal the reference"
print(f"ok: {sys.argv[1]}: points with the recorded key_seed, right key == reference")
PY
  # GNU parallel launcher: list its commands, run the first (shard 1) into a fresh directory.
  $KEYMAC sweep "fast-$name.json" --emit parallel --shards $k -o "par-$name" >/dev/null
  bash "par-$name/fast_$name.parallel.sh" --dry-run >"par-$name/cmds" || fail "$name: parallel --dry-run failed"
  [ "$(wc -l <"par-$name/cmds")" -eq $k ] || fail "$name: parallel lists $(wc -l <"par-$name/cmds") commands, expected $k"
  bash -c "$(grep -- "--shard 1/$k " "par-$name/cmds")" >/dev/null 2>&1 || fail "$name: the parallel launcher's shard 1 failed"
  same_results "$res" "par-$name/shard-1-of-$k.jsonl"
done
after=$(cd clean-scripts && find . -type f | sort | xargs sha1sum)
[ "$before" = "$after" ] || fail "the sweeps wrote into the scripts tree"
echo "sweep examples ok"
