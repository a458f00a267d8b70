#!/usr/bin/env bash
# Benchmark of the catalog's read endpoints (not part of the test suite), the done-when of issue 15: a catalog in a
# throwaway Azurite holds --backups backups (default 10,000) of --configs configs (default 20), written through the
# catalog's own classes; the Functions app runs on the local host against it, and each endpoint is asked --requests
# times (default 200, one at a time, after 3 warm-up requests): GET /api/backups?configId=… (one config's backups),
# GET /api/backups?pageSize=20 (the dashboard's list), GET /api/backup-health. Then the dashboard (/api/ui/) is opened
# in headless Debian chromium through Playwright, a fresh context per sample: its first contentful paint (the target)
# and, for information, the moment its data (a backup row and the total) is on screen, and the browser's floors (a
# one-line page over HTTP and as a data: URL, in the same loop). Prints p50, p95 and max in ms and a verdict against
# the target (p95 under 200 ms each).
#
#   scripts/benchmark/catalog.sh [--backups N] [--configs N] [--requests N] [--scratch DIR] [--no-browser] [--keep]
#
# Listens on 127.0.0.1 only: Azurite (the BF_AZURITE_*_PORT ports of scripts/services.sh) and the local host
# (BF_BENCH_API_PORT, default 7093).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
backups=10000
configs=20
requests=200
scratch=${TMPDIR:-/tmp}/catalog-bench
browser=true
keep=false
target_ms=200

usage() {
  sed -n '11,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "catalog.sh: $1" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --backups) backups=${2:?}; shift 2 ;;
    --configs) configs=${2:?}; shift 2 ;;
    --requests) requests=${2:?}; shift 2 ;;
    --scratch) scratch=${2:?}; shift 2 ;;
    --no-browser) browser=false; shift ;;
    --keep) keep=true; shift ;;
    -h|--help) usage "help" ;;
    *) usage "unknown argument $1" ;;
  esac
done
[[ $backups =~ ^[0-9]+$ && $configs =~ ^[1-9][0-9]*$ && $requests =~ ^[1-9][0-9]*$ ]] || usage "counts must be whole numbers"

log() { echo "$(date +%H:%M:%S) $*" >&2; }
die() { echo "catalog.sh: $*" >&2; exit 1; }

api_port=${BF_BENCH_API_PORT:-7093}
api=http://127.0.0.1:$api_port/api
host_pid=
cleanup() {
  if [[ -n $host_pid ]] && kill -0 "$host_pid" 2>/dev/null; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  declare -F bf_stop_azurite >/dev/null && { bf_stop_azurite >/dev/null 2>&1 || true; }
  [[ $keep == true ]] || rm -rf "$scratch"
}
trap cleanup EXIT

rm -rf "$scratch"
mkdir -p "$scratch"
bin=$scratch/bin
log "publishing the local host and CatalogBench (Release)"
dotnet publish "$repo/src/BackupFunctions.LocalHost" -c Release -o "$bin/host" -v quiet -nologo >/dev/null \
  || die "publishing src/BackupFunctions.LocalHost failed"
dotnet publish "$repo/scripts/benchmark/CatalogBench" -c Release -o "$bin/bench" -v quiet -nologo >/dev/null \
  || die "publishing scripts/benchmark/CatalogBench failed"

# shellcheck source=scripts/services.sh
source "$repo/scripts/services.sh"
bf_ensure_prerequisites || die "the prerequisites (Azurite) could not be installed"
if [[ $browser == true && ! -x /usr/bin/chromium ]]; then
  log "installing Debian's chromium"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || die "apt-get install chromium failed"
fi
bf_start_azurite "$scratch/azurite" >&2 || die "Azurite did not start"

log "filling the catalog: $configs configs, $backups backups"
dotnet "$bin/bench/CatalogBench.dll" fill --connection "$BF_TEST_AZURITE" --configs "$configs" --backups "$backups" \
  --out "$scratch/config-ids" || die "filling the catalog failed"

app=$scratch/app
mkdir -p "$app/stores"
(umask 077 && head -c 32 /dev/urandom | base64 >"$app/backup.key")
Keys__LocalKeyFile=$app/backup.key \
Catalog__ConnectionString=$BF_TEST_AZURITE Storage__BlobConnection=$BF_TEST_AZURITE Storage__LocalRoot=$app/stores \
Keys__TransitKey=$(head -c 32 /dev/urandom | base64) Secrets__SealingKey=$(head -c 32 /dev/urandom | base64) \
Network__AllowedRanges=127.0.0.0/8 Files__AllowedRoots=/srv \
  dotnet "$bin/host/BackupFunctions.LocalHost.dll" --url "http://127.0.0.1:$api_port" >"$app/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "$api/backup-configs" && break
  kill -0 "$host_pid" 2>/dev/null || { tail -n 30 "$app/host.log" >&2; die "the local host stopped"; }
  sleep 0.2
done
curl -fs -o /dev/null "$api/backup-configs" || die "the local host did not answer on $api"

log "measuring ($requests requests per endpoint)"
browser_args=()
[[ $browser == true ]] && browser_args=(--chromium /usr/bin/chromium --ui "$api/ui/")
rc=0
dotnet "$bin/bench/CatalogBench.dll" measure --api "$api" --key local-host-needs-no-key \
  --config-id "$(head -n 1 "$scratch/config-ids")" --requests "$requests" "${browser_args[@]}" >"$scratch/results.tsv" || rc=$?

echo
echo "Catalog: $configs configs, $backups backups (Azurite); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| endpoint | requests | p50 ms | p95 ms | max ms | p95 < $target_ms ms |"
echo "|---|---:|---:|---:|---:|---|"
while IFS=$'\t' read -r name n p50 p95 max; do
  verdict=met
  [[ $name == *"(info"* ]] && verdict="-"
  [[ $verdict == - ]] || awk -v p="$p95" -v t="$target_ms" 'BEGIN { exit !(p < t) }' || verdict=MISSED
  echo "| $name | $n | $p50 | $p95 | $max | $verdict |"
done <"$scratch/results.tsv"
[[ $rc == 0 ]] || die "a request failed (exit $rc); see above"
