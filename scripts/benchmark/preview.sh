#!/usr/bin/env bash
# Benchmark of the restore preview (not part of the test suite): generates a site of FILES small files (default
# 100,000), backs it up to a local folder, changes 1% each way (edited, touched only, deleted, added) and times
# RestorePreviewer against it, best of RUNS (default 3). The preview reads only the manifest and the file index.
#
#   scripts/benchmark/preview.sh [SCRATCH_DIR] [FILES] [RUNS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
scratch=${1:-${TMPDIR:-/tmp}/preview-bench}
status=0
dotnet run -c Release --project "$repo/scripts/benchmark/PreviewBenchmark" -- "$scratch" "${2:-100000}" "${3:-3}" || status=$?
rm -rf "$scratch"
exit $status
