#!/bin/bash
# Submits a labelnoise scenario as an N-task Slurm job array plus a merge job that starts when every
# task has succeeded (and is cancelled if one fails).
#
#   scripts/slurm/submit.sh SCENARIO.toml N [RESULTS_DIR] [-- extra sbatch options for the array]
#
# RESULTS_DIR defaults to results/<file name without .toml>. Relative paths are relative to the
# current folder, which must be on a file system every node sees. Set LABELNOISE to the binary's
# path if it is not on PATH; set WAIT=1 to block until the merge has finished (exit code 0 only if
# every task and the merge completed).
# Partition, account and time limit: SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, or options
# after `--`, e.g. `-- --cpus-per-task=4 --time=2:00:00`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 SCENARIO.toml N [RESULTS_DIR] [-- sbatch options]"
scenario=${1:?$usage}
n=${2:?$usage}
shift 2
results=results/$(basename "$scenario" .toml)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then results=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "$0: N must be a whole number ≥ 1, got '$n'" >&2; exit 2; }
[ -f "$scenario" ] || { echo "$0: no scenario file $scenario" >&2; exit 2; }
bin=${LABELNOISE:-labelnoise}
"$bin" check "$scenario" >/dev/null   # fail now, not in N tasks
if [[ "$bin" == */* ]]; then export LABELNOISE=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin"); fi
mkdir -p "$results"

array=$(sbatch --parsable --array="0-$((n - 1))" "$@" "$here/labelnoise-array.sbatch" "$scenario" "$results")
array=${array%%;*}   # "jobid;cluster" on multi-cluster setups
echo "submitted array job $array: $n shard(s) of $scenario into $results/shard-I-of-$n"
echo "merge job runs after all tasks succeed, into $results"
if [ "${WAIT:-0}" != 1 ]; then
    exec sbatch --dependency="afterok:$array" --kill-on-invalid-dep=yes "$here/labelnoise-merge.sbatch" "$results" "$n"
fi
# `sbatch --wait` returns 0 for a job cancelled because a task failed, so ask Slurm how it ended.
merge=$(sbatch --parsable --wait --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/labelnoise-merge.sbatch" "$results" "$n") || true
merge=${merge%%;*}
state() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ' | paste -sd ','; }
merge_state=$(state "$merge")
if [[ "$merge_state" != " 1 JobState=COMPLETED" ]]; then
    echo "$0: merge job $merge did not complete:$merge_state; array job $array tasks:$(state "$array")" >&2
    exit 1
fi
echo "merged into $results (array job $array, merge job $merge)"
