#!/usr/bin/env bash
# Benchmark: in-place database restore (one transaction) against restore into a new database, on the same dump of a
# generated CMS-like database, side by side in one run. Not part of the test suite. See docs/design.md,
# "Restoring a database in place".
#
#   scripts/benchmark/db-restore.sh [MEGABYTES] [RUNS]      (default 200 MB, 1 run)
#
# Needs the test PostgreSQL server: source scripts/services.sh; bf_start_postgres DIR (exports BF_TEST_PG_*).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dotnet run -c Release --project "$repo/scripts/benchmark/DbRestoreBench" -- "${1:-200}" "${2:-1}"
