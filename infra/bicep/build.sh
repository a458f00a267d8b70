#!/usr/bin/env bash
# Compiles and lints the Azure deployment template with the Bicep CLI taken from NuGet (the only registry this
# project's machines reach). Exits non-zero on any Bicep error; warnings are printed and do not fail the run.
# Usage: infra/bicep/build.sh        (from any folder)
set -euo pipefail

BICEP_VERSION=0.49.2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$SECONDS

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# 1. Bring the CLI package into the NuGet global packages folder (a no-op once it is there).
echo "restoring Azure.Bicep.CommandLine.linux-x64 ${BICEP_VERSION} ..."
dotnet restore "$here/tools/BicepCli.proj" -p:BicepVersion="$BICEP_VERSION" --verbosity quiet

packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/${BICEP_VERSION}/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "error: bicep binary not found at $bicep" >&2
  exit 1
fi
# NuGet does not keep the executable bit of package files.
[[ -x "$bicep" ]] || chmod +x "$bicep"
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
