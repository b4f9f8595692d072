#!/usr/bin/env bash
# The Slurm path for real: a single-node Slurm (munged, slurmctld, slurmd) on
# localhost, private to this test (own key, sockets, ports, state dirs), runs
# the job array that `keymac sweep --emit slurm` writes; the merged shard
# results equal a local run of the same sweep. Needs root and Debian's
# slurm-wlm + munge (scripts/setup.sh). If Slurm cannot run, this FAILS.
source "$KEYMAC_SRC/tests/sweep/sweep_lib.sh"
[ "$(id -u)" -eq 0 ] || fail "the Slurm test starts slurmd/slurmctld/munged and must run as root"
for b in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v $b >/dev/null || [ -x /usr/sbin/$b ] || fail "$b not installed (scripts/setup.sh installs slurm-wlm and munge)"
done
export PATH="$PATH:/usr/sbin"
S="$TMP/slurm"
mkdir -p "$S"/{munge,state,spool,log}
chmod 711 "$S/munge"
cleanup() {
  set +e
  [ -n "${SLURM_CONF:-}" ] && timeout 10 scontrol shutdown >/dev/null 2>&1
  for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  sleep 1
  for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/munged.pid"; do
    [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
dump_logs() { for f in "$S"/log/*.log "$S/munge/munged.log"; do echo "== $f"; tail -20 "$f"; done >&2; }

# munge: a private key and socket.
dd if=/dev/urandom of="$S/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$S/munge/munge.key"
munged --key-file="$S/munge/munge.key" --socket="$S/munge/munge.sock" --pid-file="$S/munge/munged.pid" \
  --seed-file="$S/munge/munged.seed" --log-file="$S/munge/munged.log" --force \
  || { dump_logs; fail "munged did not start"; }

# slurm.conf: one node (this host, 2 CPUs), one partition, no accounting.
H=$(hostname -s)
PORT=$((20000 + $$ % 20000))
cat >"$S/slurm.conf" <<CONF
ClusterName=keymactest
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.sock
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=$H NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$S/slurm.conf"
slurmctld -c -f "$SLURM_CONF" || { dump_logs; fail "slurmctld did not start"; }
slurmd -f "$SLURM_CONF" || { dump_logs; fail "slurmd did not start"; }
for _ in $(seq 1 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -q idle && break
  sleep 0.5
done
sinfo -h -o '%T' | grep -q idle || { sinfo; dump_logs; fail "the Slurm node did not become idle within 30 s"; }
echo "slurm up: $(sinfo -h -o '%P %D %T %C')"

# The sweep: 6 points, 3 shards (array tasks).
cd "$TMP"
make_keys keys 8x8 8x16 16x16
cat >spec.json <<'J'
{"name": "slurm", "base": {"limit": 200, "wrong_keys": 2, "seed": 5, "key": "keys/{array}.key"},
 "axes": {"model": ["models/fmnist_mlp.onnx", "models/fmnist_cnn.onnx"], "array": ["8x8", "8x16", "16x16"]}}
J
$KEYMAC sweep spec.json --emit slurm --shards 3 -o out
job=$(sbatch --parsable out/slurm.sbatch) || { dump_logs; fail "sbatch refused the emitted script"; }
echo "submitted job array $job"
$KEYMAC sweep spec.json -j 2 -o local.jsonl   # the reference, while Slurm works
deadline=$((SECONDS + 300))
while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
  [ $SECONDS -lt $deadline ] || { squeue; scontrol show job "$job"; dump_logs; fail "job array $job not done within 5 min"; }
  sleep 1
done
scontrol show job "$job" | grep -E "ArrayTaskId|JobState|ExitCode" | paste - - - | sed 's/^ */  /'
bad=$(scontrol show job "$job" | grep -c "ExitCode=[1-9]" || true)
[ "$bad" -eq 0 ] || { cat out/logs/*; fail "$bad array task(s) failed"; }
ls out/shard-*-of-3.jsonl
$KEYMAC sweep merge out/shard-*-of-3.jsonl -o slurm.jsonl --csv slurm.csv --spec spec.json
"$PY" -c "
import json, sys
shards = {json.loads(l)['shard'] for l in open('slurm.jsonl')}
assert shards == {'1/3', '2/3', '3/3'}, shards
print('ok: results came from array tasks', sorted(shards))"
same_results local.jsonl slurm.jsonl
