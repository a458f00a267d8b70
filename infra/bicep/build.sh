#!/usr/bin/env bash
# Compiles and lints every Azure deployment template (main.bicep and each module under modules/) with the Bicep CLI
# taken from NuGet (the only registry this project's machines reach). Fails on any error AND on any warning or info
# diagnostic: the templates are kept at zero diagnostics.
# Usage: infra/bicep/build.sh        (from any folder)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS

# 1. The CLI (restored from NuGet the first time; bicep-cli.sh names its version).
bicep="$("$here/bicep-cli.sh")"
"$bicep" --version

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$here"

templates=(main.bicep modules/*.bicep)
failed=0

# Runs one bicep command, prints what it said, and counts it as failed on a non-zero exit or on any diagnostic line
# ("<file>(<line>,<col>) : Error|Warning|Info <code>: ..."). The CLI exits 0 on warnings, so its output is parsed.
check() {
  local what="$1"; shift
  local log="$out/log" status=0
  "$@" > "$log" 2>&1 || status=$?
  cat "$log"
  local diagnostics
  diagnostics="$(grep -cE '\) : (Error|Warning|Info) ' "$log" || true)"
  if [[ $status -ne 0 || $diagnostics -ne 0 ]]; then
    echo "FAILED: $what (exit $status, $diagnostics diagnostics)" >&2
    failed=$((failed + 1))
  fi
}

for template in "${templates[@]}"; do
  # 2. Compile: type checks against the resource schemas, plus the linter's rules.
  echo "bicep build $template"
  check "build $template" "$bicep" build "$template" --outdir "$out/$(dirname "$template")"
  # 3. Lint on its own too: the rules in bicepconfig.json beside this script, at the levels it sets.
  echo "bicep lint $template"
  check "lint $template" "$bicep" lint "$template"
done

if [[ $failed -ne 0 ]]; then
  echo "bicep: $failed check(s) failed ($((SECONDS - started)) s)" >&2
  exit 1
fi
echo "bicep: ${#templates[@]} templates, 0 errors, 0 warnings ($((SECONDS - started)) s)"
