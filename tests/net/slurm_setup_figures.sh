#!/usr/bin/env bash
# Set-up time of N workers started through "launcher": "slurm" against the same N started locally, on
# this machine, with a private single-node Slurm (munged, slurmctld, slurmd under a temporary folder in
# the build tree, as test_net_slurm_runs starts it; 512 CPUs declared so one node takes 256 tasks). The
# figure is the coordinator's own line "N workers ready after S s of set-up"; the local run at the same
# count is the baseline, measured in the same session, one after the other; a Slurm run is secured
# (CURVE, beyond loopback), so the same local run secured is shown too (the cost of CURVE apart from
# Slurm's). Ratio: Slurm against local secured.
#
#   tests/net/slurm_setup_figures.sh [BUILD_DIR] [COUNTS...]     (default: build 16 64 256)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(16 64 256)
run="$build/bin/distopt-run"
dir=$(mktemp -d "$build/slurm-figures-XXXXXX")
pids=()
stop() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; done
  rm -rf "$dir"
}
trap stop EXIT
node=$(hostname -s)
user=$(id -un)
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
head -c 1024 /dev/urandom >"$dir/munge/munge.key"
chmod 600 "$dir/munge/munge.key"
/usr/sbin/munged -F -f --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
  --log-file="$dir/munge/munged.log" --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
  >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/munge/munge.sock" ] && break; sleep 0.1; done
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cat >"$dir/slurm.conf" <<CONF
ClusterName=distopt-figures
SlurmctldHost=$node
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldPort=$(port)
SlurmdPort=$(port)
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
SchedulerType=sched/builtin
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$node CPUs=512 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE
CONF
export SLURM_CONF="$dir/slurm.conf"
unset SLURM_JOB_ID DISTOPT_JOIN_TOKEN
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >/dev/null 2>&1 &
pids+=($!)
sleep 1
/usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$node" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break; sleep 0.2; done
[ "$(sinfo -h -o %T)" = idle ] || { echo "the node did not come up" >&2; exit 1; }

experiment() {  # $1 = workers, $2 = extra JSON in "workers"
  cat <<JSON
{"name": "setup-figures", "seed": 1, "engine": "live",
 "problem": {"name": "quadratic", "params": {"d": 20, "noise": "scalar", "noise_std": 0.01}},
 "algorithm": {"name": "asgd", "params": {"gamma": 0.02}},
 "workers": {"count": $1, "time_model": {"name": "fixed", "params": {"h": "one"}}, "unit_ms": 5$2},
 "stop": {"updates": 200}}
JSON
}
setup() {  # prints the set-up seconds of one run: $1 = experiment file, rest = distopt-run options
  local file=$1
  shift
  local log
  log=$("$run" "$file" --quiet --no-store --out "$dir/out-$RANDOM" --setup-timeout 900 "$@" 2>&1 >/dev/null) || {
    echo "run failed: $(tail -3 <<<"$log")" >&2
    echo "failed"
    return
  }
  sed -n 's/.* workers ready after \([0-9.]*\) s of set-up.*/\1/p' <<<"$log" | tail -1
}
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s %10s %16s %10s %8s %s\n' workers local_s local_secure_s slurm_s ratio load_after
for n in "${counts[@]}"; do
  experiment "$n" "" >"$dir/local-$n.json"
  experiment "$n" ', "launcher": "slurm", "slurm": {"partition": "test", "nodes": 1}' >"$dir/slurm-$n.json"
  local_s=$(setup "$dir/local-$n.json")
  secure_s=$(setup "$dir/local-$n.json" --bind 'tcp://0.0.0.0:*' --secure)
  slurm_s=$(setup "$dir/slurm-$n.json" --bind 'tcp://0.0.0.0:*' --secure)
  ratio=$(awk -v a="$slurm_s" -v b="$secure_s" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
  printf '%8s %10s %16s %10s %8s %s\n' "$n" "$local_s" "$secure_s" "$slurm_s" "$ratio" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
