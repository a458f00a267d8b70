#!/usr/bin/env bash
# Compiles and lints the Azure deployment template with the Bicep CLI taken from NuGet (the only registry this
# project's machines reach). Exits non-zero on any Bicep error; warnings are printed and do not fail the run.
# Usage: infra/bicep/build.sh        (from any folder)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS

# 1. The CLI (restored from NuGet the first time; bicep-cli.sh names its version).
bicep="$("$here/bicep-cli.sh")"
"$bicep" --version

# 2. Compile (type checks against the resource schemas, plus the linter) into a throwaway folder.
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$here"
echo "bicep build main.bicep"
"$bicep" build main.bicep --outdir "$out"

# 3. Lint on its own too: the rules in bicepconfig.json beside this script.
echo "bicep lint main.bicep"
"$bicep" lint main.bicep

echo "bicep: OK ($((SECONDS - started)) s)"
