#!/usr/bin/env bash
# Benchmark: backupctl against `tar | zstd -3 -T1` and restic on the same generated CMS-like site.
# Not part of the test suite. See README.md, "Benchmark".
#
#   scripts/benchmark/run.sh [SIZE_GB ...] [--sizes 1,4] [--runs N] [--tools backupctl,tar-zstd,restic]
#                            [--scratch DIR] [--seed N] [--backupctl PATH] [--baseline PATH] [--keep] [--no-drop-caches]
#
# For each size (GB = 10^9 bytes; default 1 and 4; 0.1 makes a quick check) it generates the dataset, then runs
# every tool in the same order: a timed backup to a local destination and a timed restore into an empty folder,
# whose tree must hash the same as the source. Times are wall clock, best of --runs (default 1), and include the
# syncfs that puts the written data on disk; peak RSS is GNU time's maximum resident set size (the largest process
# of the command: for `tar | zstd`, the larger of the two), the highest of the runs. MB/s = dataset bytes / 10^6 /
# seconds; CPU s = user + system time of the best run (CPU s near wall s: CPU-bound; above it: several cores).
# As root the page cache is dropped before every timed step, so each reads its input from disk.
# Prints the table and a verdict against the targets of issue 3, and writes both to <scratch>/results-*.md.
# --baseline PATH adds the tool backupctl-baseline (another backupctl build, e.g. published from the main branch),
# run first with the same options, so a change is measured side by side with what it replaces in one run.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sizes=()
runs=1
tools=backupctl,tar-zstd,restic
scratch=${TMPDIR:-/tmp}/backupctl-bench
seed=20260101
backupctl=
baseline=
keep=false
drop_caches=true
restic_password=backupctl-benchmark-password

usage() {
  sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "run.sh: $1" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --sizes) IFS=, read -r -a more <<<"${2:?}"; sizes+=("${more[@]}"); shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --tools) tools=${2:?}; shift 2 ;;
    --scratch) scratch=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --backupctl) backupctl=${2:?}; shift 2 ;;
    --baseline) baseline=${2:?}; shift 2 ;;
    --keep) keep=true; shift ;;
    --no-drop-caches) drop_caches=false; shift ;;
    -h|--help) usage "help" ;;
    -*) usage "unknown option $1" ;;
    *) sizes+=("$1"); shift ;;
  esac
done
((${#sizes[@]})) || sizes=(1 4)
for s in "${sizes[@]}"; do [[ $s =~ ^[0-9]*\.?[0-9]+$ ]] || usage "size '$s' is not a number of GB"; done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage "--runs must be a positive whole number"
if [[ -n $baseline ]]; then
  [[ -x $baseline ]] || usage "--baseline $baseline is not an executable"
  tools=backupctl-baseline,$tools
fi
IFS=, read -r -a tool_list <<<"$tools"
for t in "${tool_list[@]}"; do
  [[ $t == backupctl || $t == tar-zstd || $t == restic || ($t == backupctl-baseline && -n $baseline) ]] \
    || usage "unknown tool '$t' (backupctl, tar-zstd, restic; backupctl-baseline comes with --baseline)"
done
uses() { [[ ,$tools, == *,$1,* ]]; }

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }

# --- prerequisites -----------------------------------------------------------------------------------------------
need_packages=()
[[ -x /usr/bin/time ]] || need_packages+=(time)
uses tar-zstd && ! command -v zstd >/dev/null && need_packages+=(zstd)
uses restic && ! command -v restic >/dev/null && need_packages+=(restic)
{ uses backupctl || [[ -n $baseline ]]; } && ! command -v jq >/dev/null && need_packages+=(jq)
if ((${#need_packages[@]})); then
  ((EUID == 0)) || die "missing ${need_packages[*]}; install them (apt-get install ${need_packages[*]}) or run as root"
  log "installing ${need_packages[*]}"
  apt-get install -y -q "${need_packages[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${need_packages[@]}" >/dev/null; }
fi

mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
largest=$(printf '%s\n' "${sizes[@]}" | sort -g | tail -1)
# Source + one stored copy (at most its size: media does not compress) + one restored copy, with a margin.
need_kb=$(awk -v s="$largest" 'BEGIN { printf "%d", s * 3.2 * 1e6 + 1e6 }')
free_kb=$(df -Pk "$scratch" | awk 'NR == 2 { print $4 }')
((free_kb >= need_kb)) || die "$scratch has $((free_kb / 1000000)) GB free; a $largest GB run needs about $((need_kb / 1000000)) GB"

bin=$scratch/bin
log "building the dataset generator"
dotnet publish "$repo/scripts/benchmark/DatasetGenerator" -c Release -o "$bin/generator" -v quiet -nologo >/dev/null \
  || die "building scripts/benchmark/DatasetGenerator failed"
if uses backupctl && [[ -z $backupctl ]]; then
  [[ -d $repo/src/BackupCli ]] || die "src/BackupCli is missing; pass --backupctl <path> or leave backupctl out of --tools"
  log "publishing backupctl (Release)"
  dotnet publish "$repo/src/BackupCli" -c Release -o "$bin/backupctl" -v quiet -nologo >/dev/null || die "publishing src/BackupCli failed"
  backupctl=$bin/backupctl/backupctl
fi
key_file=$scratch/backupctl.key
if uses backupctl || [[ -n $baseline ]]; then
  rm -f "$key_file"
  "${backupctl:-$baseline}" key create --out "$key_file" >/dev/null || die "backupctl key create failed"
fi
export RESTIC_PASSWORD=$restic_password RESTIC_CACHE_DIR=$scratch/restic-cache

# --- measuring ---------------------------------------------------------------------------------------------------
cold_start() {
  sync
  if $drop_caches; then
    { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null || drop_caches=false
  fi
}

# timed <written path> <command...>: runs the command under GNU time; sets secs (wall clock including the syncfs
# of the written data), cpu (user + system seconds of the command and its children) and rss_kb. The command's output goes to $scratch/last.out and last.err.
timed() {
  local written=$1 start end
  shift
  cold_start
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$scratch/last.time" "$@" >"$scratch/last.out" 2>"$scratch/last.err" \
    || { cat "$scratch/last.err" >&2; die "failed: $*"; }
  sync -f "$written"
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$scratch/last.time")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { t += $2 } END { printf "%.1f", t }' "$scratch/last.time")
}

# The content of a tree as one hash: relative path and SHA-256 of every file, sorted.
tree_hash() {
  (cd "$1" && find . -type f -print0 | xargs -0 -r -n 256 -P 2 sha256sum | LC_ALL=C sort -k 2 | sha256sum | cut -c1-64)
}

bytes_of() { du -sb "$1" | cut -f1; }

# backup_<tool> <source parent> <source name> <destination> / restore_<tool> <destination> <target>: the commands
# under test. restored_root_<tool> <target> names the folder that must equal the source.
backup_backupctl() {
  backupctl_backup "$backupctl" "$@"
}
backup_backupctl-baseline() {
  backupctl_backup "$baseline" "$@"
}
# backupctl_backup <backupctl> <source parent> <source name> <destination>
backupctl_backup() {
  local bc=$1
  shift
  timed "$3" "$bc" backup --to "file://$3" --site "$1/$2" --type files --compression zstd --level 3 \
    --encryption aes256 --key-file "$key_file" --json
  backup_id=$(jq -er '.backupId' "$scratch/last.out") || die "backupctl backup printed no backupId: $(cat "$scratch/last.out")"
}
restore_backupctl() {
  timed "$2" "$backupctl" restore --from "file://$1" "$backup_id" --to-dir "$2" --key-file "$key_file" --json
}
restore_backupctl-baseline() {
  timed "$2" "$baseline" restore --from "file://$1" "$backup_id" --to-dir "$2" --key-file "$key_file" --json
}
restored_root_backupctl() { echo "$1"; }
restored_root_backupctl-baseline() { echo "$1"; }

backup_tar-zstd() {
  mkdir -p "$3"
  timed "$3" bash -c 'set -o pipefail; tar -cf - -C "$1" "$2" | zstd -3 -T1 -q -o "$3/site.tar.zst"' _ "$1" "$2" "$3"
}
restore_tar-zstd() {
  timed "$2" bash -c 'set -o pipefail; zstd -dc -q "$1/site.tar.zst" | tar -xf - -C "$2"' _ "$1" "$2"
}
restored_root_tar-zstd() { echo "$1/site"; }

backup_restic() {
  restic init -q --repo "$3" >/dev/null
  timed "$3" restic backup -q --repo "$3" "$1/$2"
}
restore_restic() {
  timed "$2" restic restore -q --repo "$1" latest --target "$2"
}
restored_root_restic() { echo "$1$source_dir"; }

# --- the run -----------------------------------------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results_tsv=$scratch/results-$stamp.tsv
results_md=$scratch/results-$stamp.md
: >"$results_tsv"
notes=()

for size in "${sizes[@]}"; do
  work=$scratch/size-$size
  source_dir=$work/site
  if [[ -f $work/site.complete && $(cat "$work/site.complete") == "$seed" ]]; then
    log "[$size GB] reusing the dataset in $source_dir"
  else
    rm -rf "$work"
    mkdir -p "$work"
    log "[$size GB] generating the dataset (seed $seed)"
    dotnet "$bin/generator/DatasetGenerator.dll" --out "$source_dir" --size-gb "$size" --seed "$seed" >&2
    echo "$seed" >"$work/site.complete"
  fi
  data_bytes=$(find "$source_dir" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
  files=$(find "$source_dir" -type f | wc -l)
  source_hash=$(tree_hash "$source_dir")
  notes+=("$size GB: $files files, $data_bytes bytes, tree hash ${source_hash:0:16}…, load average before: $(cut -d' ' -f1-3 /proc/loadavg)")

  for tool in "${tool_list[@]}"; do
    best_backup= best_restore= backup_cpu= restore_cpu= max_backup_rss=0 max_restore_rss=0 stored=
    for ((run = 1; run <= runs; run++)); do
      destination=$work/dest-$tool target=$work/restore-$tool
      rm -rf "$destination" "$target"
      mkdir -p "$target"

      log "[$size GB] $tool backup (run $run of $runs)"
      "backup_$tool" "$work" site "$destination"
      stored=$(bytes_of "$destination")
      [[ -n $best_backup ]] && awk -v a="$secs" -v b="$best_backup" 'BEGIN { exit !(a >= b) }' || { best_backup=$secs backup_cpu=$cpu; }
      ((rss_kb > max_backup_rss)) && max_backup_rss=$rss_kb

      log "[$size GB] $tool restore (run $run of $runs)"
      "restore_$tool" "$destination" "$target"
      [[ -n $best_restore ]] && awk -v a="$secs" -v b="$best_restore" 'BEGIN { exit !(a >= b) }' || { best_restore=$secs restore_cpu=$cpu; }
      ((rss_kb > max_restore_rss)) && max_restore_rss=$rss_kb

      root=$("restored_root_$tool" "$target")
      [[ -d $root ]] || die "$tool restored nothing at $root"
      restored_hash=$(tree_hash "$root")
      [[ $restored_hash == "$source_hash" ]] || die "$tool restored a tree that differs from the source ($root)"
      rm -rf "$destination" "$target" "$RESTIC_CACHE_DIR"
    done
    awk -v OFS='\t' -v size="$size" -v tool="$tool" -v bytes="$data_bytes" -v bs="$best_backup" -v rs="$best_restore" \
      -v brss="$max_backup_rss" -v rrss="$max_restore_rss" -v stored="$stored" -v bcpu="$backup_cpu" -v rcpu="$restore_cpu" 'BEGIN {
        print size, tool, bs, bytes / 1e6 / bs, brss / 1024, rs, bytes / 1e6 / rs, rrss / 1024, stored / 1e6, bcpu, rcpu }' \
      >>"$results_tsv"
  done
  notes[-1]+=", after: $(cut -d' ' -f1-3 /proc/loadavg)"
  $keep || rm -rf "$work"
done

# --- report ------------------------------------------------------------------------------------------------------
table() {
  echo "| size GB | tool | backup s | backup MB/s | backup peak RSS MiB | restore s | restore MB/s | restore peak RSS MiB | stored MB | backup CPU s | restore CPU s |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %.1f | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.1f | %.1f |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$results_tsv"
}

verdict() {
  uses backupctl || { echo "- backupctl was not run: no verdict."; return; }
  awk -F'\t' '
    $2 == "backupctl" { b[$1] = $4; r[$1] = $7; brss[$1] = $5; rrss[$1] = $8; order[++n] = $1 }
    $2 == "restic"    { rb[$1] = $4; rr[$1] = $7 }
    function mark(ok) { return ok ? "met" : "MISSED" }
    END {
      for (i = 1; i <= n; i++) {
        s = order[i]
        if (s in rb) {
          printf "- %s GB backup: backupctl %.0f MB/s vs restic %.0f MB/s: %s\n", s, b[s], rb[s], mark(b[s] >= rb[s])
          printf "- %s GB restore: backupctl %.0f MB/s vs restic %.0f MB/s: %s\n", s, r[s], rr[s], mark(r[s] >= rr[s])
        }
        peak = brss[s] > rrss[s] ? brss[s] : rrss[s]
        printf "- %s GB peak RSS: backupctl %.0f MiB (< 300 MiB): %s\n", s, peak, mark(peak < 300)
      }
      if (n > 1) {
        # Flat: the largest size needs at most 25% more memory than the smallest (sizes are listed as run).
        lo = order[1]; hi = order[1]
        for (i = 2; i <= n; i++) { if (order[i] + 0 < lo + 0) lo = order[i]; if (order[i] + 0 > hi + 0) hi = order[i] }
        printf "- RSS from %s GB to %s GB: backup %.0f -> %.0f MiB, restore %.0f -> %.0f MiB (flat = at most +25%%): %s\n",
          lo, hi, brss[lo], brss[hi], rrss[lo], rrss[hi], mark(brss[hi] <= brss[lo] * 1.25 && rrss[hi] <= rrss[lo] * 1.25)
      }
    }' "$results_tsv"
}

versions() {
  uses backupctl && echo "- backupctl: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo ' (modified)'), Release, zstd level 3, AES-256-GCM, key file"
  [[ -n $baseline ]] && echo "- backupctl-baseline: $baseline, same options"
  uses tar-zstd && echo "- $(tar --version | head -1), $(zstd --version | sed 's/^\*\*\* //; s/, by.*//')"
  uses restic && echo "- $(restic version | cut -d' ' -f1-2), local repository, default settings (repository v2, compression auto)"
  true
}

{
  echo "# backupctl benchmark, $stamp"
  echo
  echo "Machine: $(nproc) CPUs ($(lscpu | awk -F': *' '/Model name/ { print $2; exit }')), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM;"
  echo "page cache dropped before each timed step: $drop_caches; runs per tool: $runs (best time, highest RSS); seed $seed."
  echo
  versions
  echo
  printf -- '- %s\n' "${notes[@]}"
  echo
  table
  echo
  echo "Targets (issue 3):"
  echo
  verdict
} >"$results_md"

echo
table
echo
verdict
echo
echo "Results: $results_md"
