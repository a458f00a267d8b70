#!/usr/bin/env bash
# Benchmark of the in-place restore (not part of the test suite), the done-when of issue 13: the same backup of a
# generated CMS-like site restored (A) by `backupctl restore` into an empty folder and (B) by `backupctl restore
# --in-place --no-pre-restore-backup` over a live copy of the site in which files were changed, added and deleted.
# Rounds alternate A and B; each run prints its wall time (including the sync of what it wrote) and peak RSS; the
# summary gives the median of each mode, the B/A time ratio and the highest peak RSS, against the issue's targets
# (in-place at most 1.3x the empty-folder restore, peak memory under 300 MiB).
#
#   scripts/benchmark/in-place-restore.sh [SIZE_MIB (default 1024)] [--rounds N (default 3)] [--scratch DIR] [--keep]
#                                          [--no-drop-caches]
# BF_BENCH_PROFILE=1 adds a mode: in-place with --skip-verification (what the verification pass costs).
# BF_BENCH_API=1 adds the mode "api": the same in-place restore through the Functions app's HTTP API on the local host
# (port BF_BENCH_API_PORT, default 7091; Azurite on the BF_AZURITE_*_PORT ports of scripts/services.sh), timed from
# the POST to the job's end, with the host's peak RSS; the target applies to it as to backupctl's.
#
# As root the page cache is dropped before every timed run, so each reads the stored backup (and the live site) from disk.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
size_mib=1024
rounds=3
scratch=${TMPDIR:-/tmp}/in-place-bench
keep=false
drop_caches=true
seed=20261207

usage() {
  sed -n '9,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "in-place-restore.sh: $1" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --rounds) rounds=${2:?}; shift 2 ;;
    --scratch) scratch=${2:?}; shift 2 ;;
    --keep) keep=true; shift ;;
    --no-drop-caches) drop_caches=false; shift ;;
    -h|--help) usage "help" ;;
    -*) usage "unknown option $1" ;;
    *) size_mib=$1; shift ;;
  esac
done
[[ $size_mib =~ ^[1-9][0-9]*$ ]] || usage "size '$size_mib' is not a whole number of MiB"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage "--rounds must be a positive whole number"

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { echo "in-place-restore.sh: $*" >&2; exit 1; }

mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
cleanup() { ! declare -F api_stop >/dev/null || api_stop; $keep || rm -rf "$scratch"; }
trap cleanup EXIT

# Source + stored copy + empty-folder target + live copy (+ its staging and set-aside folder during B), with a margin.
need_kb=$((size_mib * 1024 * 6))
free_kb=$(df -Pk "$scratch" | awk 'NR == 2 { print $4 }')
((free_kb >= need_kb)) || die "$scratch has $((free_kb / 1024)) MiB free; a $size_mib MiB run needs about $((need_kb / 1024)) MiB"

bin=$scratch/bin
log "building the dataset generator and backupctl (Release)"
dotnet publish "$repo/scripts/benchmark/DatasetGenerator" -c Release -o "$bin/generator" -v quiet -nologo >/dev/null \
  || die "building scripts/benchmark/DatasetGenerator failed"
dotnet publish "$repo/src/BackupCli" -c Release -o "$bin/backupctl" -v quiet -nologo >/dev/null || die "publishing src/BackupCli failed"
if [[ ${BF_BENCH_API:-} == 1 ]]; then
  dotnet publish "$repo/src/BackupFunctions.LocalHost" -c Release -o "$bin/host" -v quiet -nologo >/dev/null \
    || die "publishing src/BackupFunctions.LocalHost failed"
fi
backupctl=$bin/backupctl/backupctl
key_file=$scratch/backupctl.key
rm -f "$key_file"
"$backupctl" key create --out "$key_file" >/dev/null || die "backupctl key create failed"

site=$scratch/site
dest=$scratch/dest
empty_target=$scratch/restored
live=$scratch/live
if [[ ! -d $site ]]; then
  log "generating a site of $size_mib MiB (seed $seed)"
  dotnet "$bin/generator/DatasetGenerator.dll" --out "$site" \
    --size-gb "$(awk -v m="$size_mib" 'BEGIN { printf "%.6f", m * 1048576 / 1e9 }')" --seed "$seed" >&2
fi
log "backing the site up with backupctl"
rm -rf "$dest"
backup_id=$("$backupctl" backup --to "file://$dest" --site "$site" --type files --key-file "$key_file" 2>/dev/null) \
  || die "backupctl backup failed"
log "backup $backup_id: $(du -sh "$dest" | cut -f1) stored, $(find "$site" -type f | wc -l) files"

# The content of a tree as one hash: relative path, mode and SHA-256 of every file, sorted.
tree_hash() {
  (cd "$1" && find . -type f -printf '%m %p\n' | LC_ALL=C sort | sha256sum | cut -c1-16;
   find . -type f -print0 | xargs -0 -r -n 256 -P 2 sha256sum | LC_ALL=C sort -k 2 | sha256sum | cut -c1-16) | paste -sd-
}
site_hash=$(tree_hash "$site")

cold_start() {
  sync
  if $drop_caches; then
    { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null || drop_caches=false
  fi
}

# Peak RSS in KiB of a finished command: GNU time when there is one, else the process's VmHWM read while it runs.
have_gnu_time=false
/usr/bin/time -f '%M' true >/dev/null 2>&1 && have_gnu_time=true

# timed <written path> <command...>: sets secs (wall clock including the sync of the written data) and rss_kb.
timed() {
  local written=$1 start end pid hwm=0 now
  shift
  cold_start
  start=$(date +%s.%N)
  if $have_gnu_time; then
    /usr/bin/time -f '%M' -o "$scratch/last.time" "$@" >"$scratch/last.out" 2>"$scratch/last.err" \
      || { cat "$scratch/last.err" >&2; die "failed: $*"; }
    rss_kb=$(tail -n 1 "$scratch/last.time")
  else
    "$@" >"$scratch/last.out" 2>"$scratch/last.err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      now=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
      ((${now:-0} > hwm)) && hwm=$now
      sleep 0.05
    done
    wait "$pid" || { cat "$scratch/last.err" >&2; die "failed: $*"; }
    rss_kb=$hwm
  fi
  sync -f "$written"
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
}

# The changes a live site has a day after its backup, applied before every in-place run (not timed): about 1% of
# the files edited, 1% deleted, and as many new files as deleted, in new and existing folders.
change_live() {
  local n=0 path
  while IFS= read -r -d '' path; do
    case $((n % 100)) in
      7) printf 'edited after the backup %s\n' "$n" >>"$path" ;;
      42) rm -f "$path" ;;
      77) mkdir -p "$(dirname "$path")/added-after-backup"
          head -c 20000 /dev/urandom >"$(dirname "$path")/added-after-backup/new-$n.bin" ;;
    esac
    n=$((n + 1))
  done < <(find "$live" -type f -not -path '*/added-after-backup/*' -print0 | LC_ALL=C sort -z)
}

# --- the modes ---------------------------------------------------------------------------------------------------
# mode_<name>: one timed restore; must leave the restored tree equal to the site and set secs and rss_kb.
mode_empty() {
  rm -rf "$empty_target"
  timed "$scratch" "$backupctl" restore --from "file://$dest" "$backup_id" --to-dir "$empty_target" --key-file "$key_file"
  [[ $(tree_hash "$empty_target") == "$site_hash" ]] || die "the empty-folder restore differs from the site"
}

mode_inplace() {
  change_live
  [[ $(tree_hash "$live") != "$site_hash" ]] || die "changing the live copy changed nothing"
  timed "$live" "$backupctl" restore --from "file://$dest" "$backup_id" --in-place --no-pre-restore-backup --to-dir "$live" --key-file "$key_file"
  [[ $(tree_hash "$live") == "$site_hash" ]] || die "the in-place restore differs from the site"
}

# Profiling aid (BF_BENCH_PROFILE=1): the in-place restore without its verification pass, to see what that pass costs.
mode_noverify() {
  change_live
  timed "$live" "$backupctl" restore --from "file://$dest" "$backup_id" --in-place --no-pre-restore-backup --skip-verification \
    --to-dir "$live" --key-file "$key_file"
  [[ $(tree_hash "$live") == "$site_hash" ]] || die "the in-place restore (no verification) differs from the site"
}

# --- API mode (BF_BENCH_API=1): the restore through the local host's HTTP API -------------------------------------
# The Functions app runs on the local host (src/BackupFunctions.LocalHost) against a throwaway Azurite, with a config
# whose site root is "$live" (files only, zstd 3, AES-256-GCM: what backupctl uses) and its backups in a local folder.
# Its backup is made once, through the API, while the live copy still equals the site. Each run: change_live, then
# POST /api/backups/{id}/restore with createPreRestoreBackup false, polling GET /api/restore-jobs/{id} every 0.1 s
# until it ends. Time: from the POST to the job's end, plus the sync of the live folder. Memory: the host's peak RSS
# (VmHWM, reset before each run through /proc/<pid>/clear_refs), so it covers the restore's activities only.
api_port=${BF_BENCH_API_PORT:-7091}
api=http://127.0.0.1:$api_port/api
host_pid=
api_backup=

api_stop() {
  if [[ -n $host_pid ]] && kill -0 "$host_pid" 2>/dev/null; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  declare -F bf_stop_azurite >/dev/null && { bf_stop_azurite >/dev/null 2>&1 || true; }
}

# json_field <name> <json>: the first string value of a field (the API's JSON is compact and its ids are plain).
json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2" | head -n 1; }

api_start() {
  # shellcheck source=scripts/services.sh
  source "$repo/scripts/services.sh"
  bf_ensure_prerequisites || die "the prerequisites of the local host (Azurite) could not be installed"
  bf_start_azurite "$scratch/azurite" >&2 || die "Azurite did not start"
  local app=$scratch/app
  mkdir -p "$app/stores"
  (umask 077 && head -c 32 /dev/urandom | base64 >"$app/backup.key")
  Catalog__ConnectionString=$BF_TEST_AZURITE Storage__BlobConnection=$BF_TEST_AZURITE Storage__LocalRoot=$app/stores \
  Keys__LocalKeyFile=$app/backup.key Keys__TransitKey=$(head -c 32 /dev/urandom | base64) \
  Secrets__SealingKey=$(head -c 32 /dev/urandom | base64) Network__AllowedRanges=127.0.0.0/8 Files__AllowedRoots=$live \
    dotnet "$bin/host/BackupFunctions.LocalHost.dll" --url "http://127.0.0.1:$api_port" >"$app/host.log" 2>&1 &
  host_pid=$!
  local _
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$api/backup-configs" && break
    kill -0 "$host_pid" 2>/dev/null || { tail -n 30 "$app/host.log" >&2; die "the local host stopped"; }
    sleep 0.2
  done
  curl -fs -o /dev/null "$api/backup-configs" || die "the local host did not answer on $api"

  local config config_id job job_id status=""
  config=$(curl -fsS -X POST "$api/backup-configs" -H 'Content-Type: application/json' -d @- <<JSON
{ "name": "in-place benchmark", "files": { "root": "$live" }, "schedule": { "frequency": "manual" },
  "storage": { "type": "local", "path": "bench", "prefix": "site" }, "compression": { "algorithm": "zstd", "level": 3 } }
JSON
) || die "creating the benchmark config failed"
  config_id=$(json_field id "$config")
  job=$(curl -fsS -X POST "$api/backups" -H 'Content-Type: application/json' -d "{\"configId\":\"$config_id\"}") \
    || die "starting the API backup failed"
  job_id=$(json_field jobId "$job")
  log "backing the live copy up through the API (job $job_id)"
  while :; do
    job=$(curl -fsS "$api/backup-jobs/$job_id") || die "reading backup job $job_id failed"
    status=$(json_field status "$job")
    [[ $status == pending || $status == running ]] || break
    sleep 0.5
  done
  [[ $status == completed ]] || die "the API backup ended $status: $job"
  api_backup=$job_id
}

mode_api() {
  [[ -n $api_backup ]] || api_start
  change_live
  [[ $(tree_hash "$live") != "$site_hash" ]] || die "changing the live copy changed nothing"
  cold_start
  echo 5 >"/proc/$host_pid/clear_refs" 2>/dev/null || log "could not reset the host's peak RSS; it includes earlier runs"
  local start end started job_id job status=""
  start=$(date +%s.%N)
  started=$(curl -fsS -X POST "$api/backups/$api_backup/restore" -H 'Content-Type: application/json' \
    -d '{"createPreRestoreBackup": false}') || die "starting the API restore failed"
  job_id=$(json_field restoreJobId "$started")
  while :; do
    job=$(curl -fsS "$api/restore-jobs/$job_id") || die "reading restore job $job_id failed"
    status=$(json_field status "$job")
    [[ $status == pending || $status == running ]] || break
    sleep 0.1
  done
  sync -f "$live"
  end=$(date +%s.%N)
  [[ $status == completed ]] || die "the API restore ended $status: $job"
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$host_pid/status")
  [[ $(tree_hash "$live") == "$site_hash" ]] || die "the API restore differs from the site"
}

modes=(empty inplace)
[[ ${BF_BENCH_PROFILE:-} == 1 ]] && modes+=(noverify)
[[ ${BF_BENCH_API:-} == 1 ]] && modes+=(api)

log "copying the site to the live folder"
rm -rf "$live"
cp -a "$site" "$live"

declare -A times rss_max
for mode in "${modes[@]}"; do times[$mode]=""; rss_max[$mode]=0; done
printf '%-6s %-8s %10s %12s\n' round mode seconds "peak RSS MiB"
for ((round = 1; round <= rounds; round++)); do
  for mode in "${modes[@]}"; do
    "mode_$mode"
    times[$mode]+="$secs "
    ((rss_kb > rss_max[$mode])) && rss_max[$mode]=$rss_kb
    printf '%-6s %-8s %10s %12s\n' "$round" "$mode" "$secs" "$((rss_kb / 1024))"
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
empty_median=$(median "${times[empty]}")
echo
echo "site: $size_mib MiB, $(find "$site" -type f | wc -l) files; $rounds rounds; page cache dropped: $drop_caches"
for mode in "${modes[@]}"; do
  m=$(median "${times[$mode]}")
  ratio=$(awk -v a="$m" -v b="$empty_median" 'BEGIN { printf "%.2f", a / b }')
  printf '%-8s median %7.2f s  (%s x empty)  peak RSS %d MiB\n' "$mode" "$m" "$ratio" "$((rss_max[$mode] / 1024))"
done
inplace_ratio=$(awk -v a="$(median "${times[inplace]}")" -v b="$empty_median" 'BEGIN { printf "%.2f", a / b }')
verdict=PASS
awk -v r="$inplace_ratio" 'BEGIN { exit !(r <= 1.3) }' || verdict=FAIL
((rss_max[inplace] < 300 * 1024)) || verdict=FAIL
if [[ -n ${times[api]:-} ]]; then
  api_ratio=$(awk -v a="$(median "${times[api]}")" -v b="$empty_median" 'BEGIN { printf "%.2f", a / b }')
  awk -v r="$api_ratio" 'BEGIN { exit !(r <= 1.3) }' || verdict=FAIL
  ((rss_max[api] < 300 * 1024)) || verdict=FAIL
  echo "api: ratio $api_ratio, peak $((rss_max[api] / 1024)) MiB (the host process)"
fi
echo "target: in-place <= 1.3 x empty-folder time and peak RSS < 300 MiB: $verdict (ratio $inplace_ratio, peak $((rss_max[inplace] / 1024)) MiB)"
