#!/usr/bin/env bash
# Brings the Bicep CLI from NuGet (the only registry this project's machines reach) into the NuGet global packages
# folder and prints the path of its binary. The one place that names the CLI's version: build.sh and the deployment
# test (tests/BackupFunctions.Tests/Deployment) both run the binary it prints.
# Usage: bicep="$(infra/bicep/bicep-cli.sh)"     (from any folder; progress goes to stderr)
set -euo pipefail

BICEP_VERSION=0.49.2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/${BICEP_VERSION}/tools/bicep"
if [[ ! -f "$bicep" ]]; then
  echo "restoring Azure.Bicep.CommandLine.linux-x64 ${BICEP_VERSION} ..." >&2
  dotnet restore "$here/tools/BicepCli.proj" -p:BicepVersion="$BICEP_VERSION" --verbosity quiet >&2
fi
if [[ ! -f "$bicep" ]]; then
  echo "error: bicep binary not found at $bicep" >&2
  exit 1
fi
# NuGet does not keep the executable bit of package files.
[[ -x "$bicep" ]] || chmod +x "$bicep"
echo "$bicep"
