#!/usr/bin/env bash
# Benchmark: backupctl against `tar | zstd -3 -T1` and restic on the same generated CMS-like site.
# Not part of the test suite. See README.md, "Benchmark".
#
#   scripts/benchmark/run.sh [SIZE_GB ...] [--sizes 1,4] [--runs N] [--tools backupctl,tar-zstd,restic] [--cache dropped,warm]
#                            [--scratch DIR] [--seed N] [--backupctl PATH] [--baseline PATH] [--no-incremental] [--keep]
#
# For each size (GB = 10^9 bytes; default 1 and 4; 0.05 = 50 MB makes a quick check of the script) it generates the
# dataset, then, for each page-cache state of --cache, runs every tool in the same order: a timed backup to a local
# destination and a timed restore into an empty folder, whose tree must hash the same as the source. Times are wall
# clock, best of --runs (default 1), and include the syncfs that puts the written data on disk; peak RSS is GNU
# time's maximum resident set size (the largest process of the command: for `tar | zstd`, the larger of the two), the
# highest of the runs. MB/s = dataset bytes / 10^6 / seconds; CPU s = user + system time of the best run (CPU s near
# wall s: CPU-bound; above it: several cores).
# Cache states: `dropped` drops the page cache before every timed step (root only; left out with a note otherwise),
# so each reads its input from disk; `warm` reads the step's input once first (the source tree before a backup; a
# restore reads the destination just written). --no-drop-caches is --cache warm.
# The incremental round (after the full rounds of a size; --no-incremental skips it): the site is changed by
# `DatasetGenerator --mutate` (1% of the files changed, 0.1% added, 0.1% deleted), then, for each cache state, a copy
# of each tool's full backup gets a timed incremental — `backupctl backup --type incremental` (base: the full in the
# same destination), restic's second `backup` of the same path (its parent snapshot) — whose stored size is what the
# destination grew by; its restore must hash the same as the changed site. tar-zstd has no incremental.
# Prints the tables and a verdict against the targets of issue 14, and writes them to <scratch>/results-*.md; the rest
# of <scratch> (datasets, destinations, published binaries, key, restic cache) is removed at the end unless --keep.
# Tools: backupctl, tar-zstd, restic; backupctl-compress-all (backupctl --compress-all: already-compressed files
# compressed too, to measure storing them as they are); --baseline PATH adds the tool backupctl-baseline (another
# backupctl build, e.g. published from the main branch), run first with the same options, so a change is measured
# side by side with what it replaces in one run. Nothing here listens on a network port.
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
caches=dropped,warm
incremental=true
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
    --cache) caches=${2:?}; shift 2 ;;
    --no-drop-caches) caches=warm; shift ;;
    --no-incremental) incremental=false; shift ;;
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
  [[ $t == backupctl || $t == backupctl-compress-all || $t == tar-zstd || $t == restic || ($t == backupctl-baseline && -n $baseline) ]] \
    || usage "unknown tool '$t' (backupctl, backupctl-compress-all, tar-zstd, restic; backupctl-baseline comes with --baseline)"
done
uses() { [[ ,$tools, == *,$1,* ]]; }
# The tools that run this branch's backupctl (built below unless --backupctl names one).
uses_backupctl() { uses backupctl || uses backupctl-compress-all; }
IFS=, read -r -a cache_list <<<"$caches"
for c in "${cache_list[@]}"; do [[ $c == dropped || $c == warm ]] || usage "unknown cache state '$c' (dropped, warm)"; done
notes=()
if [[ " ${cache_list[*]} " == *" dropped "* ]] && ! { ((EUID == 0)) && [[ -w /proc/sys/vm/drop_caches ]]; }; then
  notes+=("page cache: dropping it needs root; the dropped runs are left out")
  cache_list=("${cache_list[@]/dropped/}")
  read -r -a cache_list <<<"${cache_list[*]}"
fi
((${#cache_list[@]})) || usage "no cache state left to run (dropped needs root): add --cache warm"
# The tools that take an incremental backup of their full one.
incremental_tool() { [[ $1 == backupctl* || $1 == restic ]]; }

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }

# --- prerequisites -----------------------------------------------------------------------------------------------
need_packages=()
[[ -x /usr/bin/time ]] || need_packages+=(time)
uses tar-zstd && ! command -v zstd >/dev/null && need_packages+=(zstd)
uses restic && ! command -v restic >/dev/null && need_packages+=(restic)
{ uses_backupctl || [[ -n $baseline ]]; } && ! command -v jq >/dev/null && need_packages+=(jq)
if ((${#need_packages[@]})); then
  ((EUID == 0)) || die "missing ${need_packages[*]}; install them (apt-get install ${need_packages[*]}) or run as root"
  log "installing ${need_packages[*]}"
  apt-get install -y -q "${need_packages[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${need_packages[@]}" >/dev/null; }
fi

mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
largest=$(printf '%s\n' "${sizes[@]}" | sort -g | tail -1)
# Source + one stored copy (at most its size: media does not compress) + one restored copy, with a margin; the
# incremental round keeps each incremental tool's full backup and copies one at a time.
copies=3.2
if $incremental; then
  n=0
  for t in "${tool_list[@]}"; do incremental_tool "$t" && n=$((n + 1)); done
  copies=$(awk -v n="$n" 'BEGIN { print 4.2 + n }')
fi
need_kb=$(awk -v s="$largest" -v c="$copies" 'BEGIN { printf "%d", s * c * 1e6 + 1e6 }')
free_kb=$(df -Pk "$scratch" | awk 'NR == 2 { print $4 }')
((free_kb >= need_kb)) || die "$scratch has $((free_kb / 1000000)) GB free; a $largest GB run needs about $((need_kb / 1000000)) GB"

bin=$scratch/bin
log "building the dataset generator"
dotnet publish "$repo/scripts/benchmark/DatasetGenerator" -c Release -o "$bin/generator" -v quiet -nologo >/dev/null \
  || die "building scripts/benchmark/DatasetGenerator failed"
if uses_backupctl && [[ -z $backupctl ]]; then
  [[ -d $repo/src/BackupCli ]] || die "src/BackupCli is missing; pass --backupctl <path> or leave backupctl out of --tools"
  log "publishing backupctl (Release)"
  dotnet publish "$repo/src/BackupCli" -c Release -o "$bin/backupctl" -v quiet -nologo >/dev/null || die "publishing src/BackupCli failed"
  backupctl=$bin/backupctl/backupctl
fi
key_file=$scratch/backupctl.key
if uses_backupctl || [[ -n $baseline ]]; then
  rm -f "$key_file"
  "${backupctl:-$baseline}" key create --out "$key_file" >/dev/null || die "backupctl key create failed"
fi
export RESTIC_PASSWORD=$restic_password RESTIC_CACHE_DIR=$scratch/restic-cache

# --- measuring ---------------------------------------------------------------------------------------------------
# Before each timed step, by $cache (the state being measured): dropped empties the page cache; warm reads $reads
# (the step's input) once, so the step finds it in memory (when it fits).
cold_start() {
  sync
  if [[ $cache == dropped ]]; then
    echo 3 >/proc/sys/vm/drop_caches || die "cannot drop the page cache"
  elif [[ -n ${reads:-} && -e $reads ]]; then
    find "$reads" -type f -print0 | xargs -0 -r cat >/dev/null
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
backup_backupctl-compress-all() {
  backupctl_backup "$backupctl" "$@" --compress-all
}
backup_backupctl-baseline() {
  backupctl_backup "$baseline" "$@"
}
# backupctl_backup <backupctl> <source parent> <source name> <destination> [backup options]; $type (default files)
backupctl_backup() {
  local bc=$1 parent=$2 name=$3 destination=$4
  shift 4
  timed "$destination" "$bc" backup --to "file://$destination" --site "$parent/$name" --type "${type:-files}" --compression zstd --level 3 \
    --encryption aes256 --key-file "$key_file" --json "$@"
  backup_id=$(jq -er '.backupId' "$scratch/last.out") || die "backupctl backup printed no backupId: $(cat "$scratch/last.out")"
}
restore_backupctl() {
  timed "$2" "$backupctl" restore --from "file://$1" "$backup_id" --to-dir "$2" --key-file "$key_file" --json
}
restore_backupctl-compress-all() { restore_backupctl "$@"; }
restore_backupctl-baseline() {
  timed "$2" "$baseline" restore --from "file://$1" "$backup_id" --to-dir "$2" --key-file "$key_file" --json
}
restored_root_backupctl() { echo "$1"; }
restored_root_backupctl-baseline() { echo "$1"; }
restored_root_backupctl-compress-all() { echo "$1"; }

backup_tar-zstd() {
  mkdir -p "$3"
  timed "$3" bash -c 'set -o pipefail; tar -cf - -C "$1" "$2" | zstd -3 -T1 -q -o "$3/site.tar.zst"' _ "$1" "$2" "$3"
}
restore_tar-zstd() {
  timed "$2" bash -c 'set -o pipefail; zstd -dc -q "$1/site.tar.zst" | tar -xf - -C "$2"' _ "$1" "$2"
}
restored_root_tar-zstd() { echo "$1/site"; }

backup_restic() {
  [[ ${type:-files} == incremental ]] || restic init -q --repo "$3" >/dev/null
  timed "$3" restic backup -q --repo "$3" "$1/$2"
}
restore_restic() {
  timed "$2" restic restore -q --repo "$1" latest --target "$2"
}
restored_root_restic() { echo "$1$source_dir"; }

# --- the run -----------------------------------------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results_tsv=$scratch/results-$stamp.tsv
incremental_tsv=$scratch/results-$stamp-incremental.tsv
results_md=$scratch/results-$stamp.md
: >"$results_tsv"
: >"$incremental_tsv"
declare -A full_secs full_stored

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

  for cache in "${cache_list[@]}"; do
    for tool in "${tool_list[@]}"; do
      best_backup= best_restore= backup_cpu= restore_cpu= max_backup_rss=0 max_restore_rss=0 stored=
      for ((run = 1; run <= runs; run++)); do
        destination=$work/dest-$tool target=$work/restore-$tool
        rm -rf "$destination" "$target"
        mkdir -p "$target"

        log "[$size GB, cache $cache] $tool backup (run $run of $runs)"
        reads=$source_dir type=files "backup_$tool" "$work" site "$destination"
        stored=$(bytes_of "$destination")
        [[ -n $best_backup ]] && awk -v a="$secs" -v b="$best_backup" 'BEGIN { exit !(a >= b) }' || { best_backup=$secs backup_cpu=$cpu; }
        ((rss_kb > max_backup_rss)) && max_backup_rss=$rss_kb

        log "[$size GB, cache $cache] $tool restore (run $run of $runs)"
        reads=$destination "restore_$tool" "$destination" "$target"
        [[ -n $best_restore ]] && awk -v a="$secs" -v b="$best_restore" 'BEGIN { exit !(a >= b) }' || { best_restore=$secs restore_cpu=$cpu; }
        ((rss_kb > max_restore_rss)) && max_restore_rss=$rss_kb

        root=$("restored_root_$tool" "$target")
        [[ -d $root ]] || die "$tool restored nothing at $root"
        restored_hash=$(tree_hash "$root")
        [[ $restored_hash == "$source_hash" ]] || die "$tool restored a tree that differs from the source ($root)"
        rm -rf "$target" "$RESTIC_CACHE_DIR"
        # The incremental round starts from one full backup per tool (the first kept; all runs write the same).
        if $incremental && incremental_tool "$tool" && [[ ! -d $work/full-$tool ]]; then
          mv "$destination" "$work/full-$tool"
          [[ $tool == restic ]] || echo "$backup_id" >"$work/full-$tool.id"
        fi
        rm -rf "$destination"
      done
      full_secs[$size,$cache,$tool]=$best_backup
      full_stored[$size,$tool]=$stored
      awk -v OFS='\t' -v size="$size" -v cache="$cache" -v tool="$tool" -v bytes="$data_bytes" -v bs="$best_backup" -v rs="$best_restore" \
        -v brss="$max_backup_rss" -v rrss="$max_restore_rss" -v stored="$stored" -v bcpu="$backup_cpu" -v rcpu="$restore_cpu" 'BEGIN {
          print size, cache, tool, bs, bytes / 1e6 / bs, brss / 1024, rs, bytes / 1e6 / rs, rrss / 1024, stored / 1e6, bcpu, rcpu }' \
        >>"$results_tsv"
    done
  done

  if $incremental && compgen -G "$work/full-*" >/dev/null; then
    log "[$size GB] changing the site: 1% of the files changed, 0.1% added, 0.1% deleted"
    rm -f "$work/site.complete" # no longer the generated tree: never reused
    dotnet "$bin/generator/DatasetGenerator.dll" --mutate "$source_dir" --seed "$seed" >&2
    changed_hash=$(tree_hash "$source_dir")
    notes+=("$size GB incremental round: $(find "$source_dir" -type f | wc -l) files after the change, tree hash ${changed_hash:0:16}…")
    for cache in "${cache_list[@]}"; do
      for tool in "${tool_list[@]}"; do
        [[ -d $work/full-$tool ]] || continue
        destination=$work/incremental-$tool target=$work/restore-$tool
        rm -rf "$destination" "$target" "$RESTIC_CACHE_DIR"
        cp -a "$work/full-$tool" "$destination"
        mkdir -p "$target"
        before=$(bytes_of "$destination")
        log "[$size GB, cache $cache] $tool incremental backup"
        reads=$source_dir type=incremental "backup_$tool" "$work" site "$destination"
        inc_secs=$secs inc_cpu=$cpu inc_rss=$rss_kb
        inc_stored=$(($(bytes_of "$destination") - before))
        log "[$size GB, cache $cache] $tool restore of the incremental"
        reads=$destination "restore_$tool" "$destination" "$target"
        root=$("restored_root_$tool" "$target")
        [[ -d $root ]] || die "$tool restored nothing of its incremental at $root"
        [[ $(tree_hash "$root") == "$changed_hash" ]] || die "$tool's incremental restored a tree that differs from the changed site ($root)"
        rm -rf "$destination" "$target" "$RESTIC_CACHE_DIR"
        awk -v OFS='\t' -v size="$size" -v cache="$cache" -v tool="$tool" -v fs="${full_secs[$size,$cache,$tool]}" -v is="$inc_secs" \
          -v fst="${full_stored[$size,$tool]}" -v ist="$inc_stored" -v rss="$inc_rss" -v cpu="$inc_cpu" 'BEGIN {
            print size, cache, tool, fs, is, 100 * is / fs, fst / 1e6, ist / 1e6, 100 * ist / fst, rss / 1024, cpu }' \
          >>"$incremental_tsv"
      done
    done
  fi
  notes[-1]+=", load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  $keep || rm -rf "$work"
done

# --- report ------------------------------------------------------------------------------------------------------
table() {
  echo "| size GB | cache | tool | backup s | backup MB/s | backup peak RSS MiB | restore s | restore MB/s | restore peak RSS MiB | stored MB | backup CPU s | restore CPU s |"
  echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %.1f | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.1f | %.1f |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$results_tsv"
}

incremental_table() {
  [[ -s $incremental_tsv ]] || { echo "No incremental round."; return; }
  echo "| size GB | cache | tool | full backup s | incremental s | % of full time | full stored MB | incremental stored MB | % of full size | incremental peak RSS MiB | incremental CPU s |"
  echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %.1f | %.1f | %.1f%% | %.0f | %.1f | %.2f%% | %.0f | %.1f |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$incremental_tsv"
}

# Against issue 14's targets: backup >= 2.0x restic's MB/s, restore >= 1.5x, peak RSS < 300 MiB and flat (+25% at
# most) from the smallest size to the largest, incremental <= 10% of the full's time and <= 3% of its stored size.
verdict() {
  uses backupctl || { echo "- backupctl was not run: no verdict."; return; }
  awk -F'\t' '
    FNR == 1 { file++ }
    file == 1 && $3 == "backupctl" { k = $1 " GB, cache " $2; b[k] = $5; r[k] = $8; brss[$1] = max(brss[$1], $6); rrss[$1] = max(rrss[$1], $9); if (!(k in seen)) { seen[k] = 1; order[++n] = k } if (!($1 in sz)) { sz[$1] = 1; sizes[++m] = $1 } }
    file == 1 && $3 == "restic"    { k = $1 " GB, cache " $2; rb[k] = $5; rr[k] = $8 }
    file == 2 && $3 == "backupctl" { it[++q] = $1 " GB, cache " $2; ipt[q] = $6; ips[q] = $9 }
    function max(a, b) { return a > b ? a : b }
    function mark(ok) { return ok ? "met" : "MISSED" }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]
        if (k in rb) {
          printf "- %s: backup backupctl %.0f MB/s vs restic %.0f MB/s = %.2fx (>= 2.0x): %s\n", k, b[k], rb[k], b[k] / rb[k], mark(b[k] >= 2.0 * rb[k])
          printf "- %s: restore backupctl %.0f MB/s vs restic %.0f MB/s = %.2fx (>= 1.5x): %s\n", k, r[k], rr[k], r[k] / rr[k], mark(r[k] >= 1.5 * rr[k])
        }
      }
      lo = sizes[1]; hi = sizes[1]
      for (i = 1; i <= m; i++) {
        s = sizes[i]; peak = max(brss[s], rrss[s])
        printf "- %s GB peak RSS: backupctl %.0f MiB (< 300 MiB): %s\n", s, peak, mark(peak < 300)
        if (s + 0 < lo + 0) lo = s; if (s + 0 > hi + 0) hi = s
      }
      if (m > 1)
        printf "- RSS from %s GB to %s GB: backup %.0f -> %.0f MiB, restore %.0f -> %.0f MiB (flat = at most +25%%): %s\n",
          lo, hi, brss[lo], brss[hi], rrss[lo], rrss[hi], mark(brss[hi] <= brss[lo] * 1.25 && rrss[hi] <= rrss[lo] * 1.25)
      for (i = 1; i <= q; i++)
        printf "- %s: incremental %.1f%% of the full time (<= 10%%), %.2f%% of its stored size (<= 3%%): %s\n", it[i], ipt[i], ips[i], mark(ipt[i] <= 10 && ips[i] <= 3)
    }' "$results_tsv" "$incremental_tsv"
}

versions() {
  uses_backupctl && echo "- backupctl: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo ' (modified)'), Release, zstd level 3, AES-256-GCM, key file$(uses backupctl-compress-all && echo '; backupctl-compress-all: the same with --compress-all')"
  [[ -n $baseline ]] && echo "- backupctl-baseline: $baseline, same options"
  uses tar-zstd && echo "- $(tar --version | head -1), $(zstd --version | sed 's/^\*\*\* //; s/, by.*//')"
  uses restic && echo "- $(restic version | cut -d' ' -f1-2), local repository, default settings (repository v2, compression auto)"
  true
}

{
  echo "# backupctl benchmark, $stamp"
  echo
  echo "Machine: $(nproc) CPUs ($(lscpu | awk -F': *' '/Model name/ { print $2; exit }')), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM;"
  echo "page cache states: ${cache_list[*]}; runs per tool: $runs (best time, highest RSS); seed $seed."
  echo
  versions
  echo
  printf -- '- %s\n' "${notes[@]}"
  echo
  table
  echo
  echo "Incremental round (1% of the files changed, 0.1% added, 0.1% deleted; stored = what the destination grew by):"
  echo
  incremental_table
  echo
  echo "Targets (issue 14):"
  echo
  verdict
} >"$results_md"

echo
table
echo
incremental_table
echo
verdict
echo
# Everything but the results goes: datasets (unless --keep), the published tools, the key and restic's cache.
$keep || rm -rf "$bin" "$key_file" "$RESTIC_CACHE_DIR" "$scratch/last.out" "$scratch/last.err" "$scratch/last.time"
echo "Results: $results_md"
