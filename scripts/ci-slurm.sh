#!/bin/bash
# Real-cluster test of sharded runs: starts a one-node Slurm cluster on localhost (Debian packages,
# daemons started by hand, no systemd), submits scenarios/quickstart.toml as a 4-task job array with
# scripts/slurm/submit.sh (array + dependent merge job), and checks that the merged results equal a
# single-process run byte for byte (summary.csv, summary.md, summary.json, scenario.json).
#
#   sudo scripts/ci-slurm.sh        # after `cargo build --release`; about 30 s
#
# Needs root and apt (installs slurmctld slurmd slurm-client munge). Stops every daemon it started, by
# pid, on success and failure alike. Scratch folder: $CI_SLURM_WORK or a fresh /tmp/labelnoise-slurm.*.
# Steps follow the tested recipe of a local cluster (munge, slurm.conf without cgroups, ReturnToService).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release/labelnoise
scenario=$root/scenarios/quickstart.toml
[ "$(id -u)" = 0 ] || { echo "ci-slurm: run as root (it installs packages and starts daemons)" >&2; exit 1; }
[ -x "$bin" ] || { echo "ci-slurm: $bin is missing; run cargo build --release first" >&2; exit 1; }
W=${CI_SLURM_WORK:-}
[ -n "$W" ] || { W=$(mktemp -d /tmp/labelnoise-slurm.XXXXXX); scratch=$W; }
export SLURM_CONF=$W/slurm.conf    # every client command (sinfo, sbatch) reads it
mkdir -p "$W/state" "$W/spool" "$W/log"
echo "ci-slurm: working in $W"

# Packages: try with the current lists first, refresh them only if that fails (fresh machine).
export DEBIAN_FRONTEND=noninteractive
pkgs=(slurmctld slurmd slurm-client munge)
if ! apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >"$W/log/apt.log" 2>&1; then
    apt-get update -qq >>"$W/log/apt.log" 2>&1
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >>"$W/log/apt.log" 2>&1 || { cat "$W/log/apt.log"; exit 1; }
fi

ctld='' slurmd_pid='' munged=''
stop() {
    local rc=$?
    for pid in $slurmd_pid $ctld $munged; do kill "$pid" 2>/dev/null || true; done
    for pid in $slurmd_pid $ctld; do wait "$pid" 2>/dev/null || true; done
    if [ "$rc" != 0 ]; then
        echo "ci-slurm: FAILED (exit $rc); logs (kept in $W):" >&2
        tail -n 40 "$W"/log/*.log "$W"/*.out 2>/dev/null >&2 || true
    elif [ -n "${scratch:-}" ]; then
        rm -rf "$scratch"
    fi
    exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT TERM

# munge: reuse one that already answers; otherwise start our own (and stop it afterwards).
if ! { munge -n | unmunge; } >/dev/null 2>&1; then
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --force 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
        chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    fi
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged --force    # daemonizes; --force: a stale socket of a dead munged
    munged=$(cat /run/munge/munged.pid)
    for _ in $(seq 50); do { munge -n | unmunge; } >/dev/null 2>&1 && break; sleep 0.1; done
fi

# RealMemory must not exceed the real memory, or the node is drained; 1000 MB is safe. Ports away
# from the defaults, so a Slurm already installed on the machine is left alone.
port=${CI_SLURM_PORT:-16817}
cat >"$SLURM_CONF" <<CONF
ClusterName=labelnoiseci
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/log/slurmctld.log
SlurmdLogFile=$W/log/slurmd.log
NodeName=localhost CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -c >"$W/log/slurmctld.out" 2>&1 & ctld=$!
slurmd -D -N localhost >"$W/log/slurmd.out" 2>&1 & slurmd_pid=$!
state=
for _ in $(seq 150); do state=$(sinfo -h -o %t 2>/dev/null || true); [ "$state" = idle ] && break; sleep 0.2; done
[ "$state" = idle ] || { echo "ci-slurm: the node did not become idle (state '$state')" >&2; exit 1; }

# The reference: one process, whole grid.
"$bin" run "$scenario" --out "$W/single" --quiet >/dev/null

# The cluster: 4 array tasks and the merge job, waited for.
cd "$W"
LABELNOISE=$bin WAIT=1 timeout 300 "$root/scripts/slurm/submit.sh" "$scenario" 4 "$W/results/quickstart"

merged=$W/results/quickstart
total=0
for i in 0 1 2 3; do
    n=$(wc -l <"$merged/shard-$i-of-4/runs.jsonl")
    grep -q "\"shard\": \"$i/4\"" "$merged/shard-$i-of-4/scenario.json"
    total=$((total + n))
done
expected=$("$bin" plan "$scenario" | sed -n 's/^runs: \([0-9]*\) .*/\1/p')
[ "$total" = "$expected" ] || { echo "ci-slurm: the shards hold $total runs, the grid has $expected" >&2; exit 1; }
for f in summary.csv summary.md summary.json scenario.json; do
    cmp "$W/single/$f" "$merged/$f" || { echo "ci-slurm: merged $f differs from the single-process one" >&2; exit 1; }
done
ls "$W"/slurm-labelnoise-*_[0-3].out >/dev/null   # the four tasks ran under Slurm
echo "ci-slurm: ok: $expected runs in 4 Slurm array tasks, merged summary.csv/md/json and manifest equal the single-process run"
