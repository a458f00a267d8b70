#!/usr/bin/env bash
# One command from an empty resource group to a running BackupFunctions install (docs/deployment.md):
#   1. the resource group (if missing);
#   2. the first time only: the template with the public Functions base image, so the registry exists;
#   3. the app image, built in Azure by ACR Tasks from infra/docker/Dockerfile (no local Docker needed), tagged
#      with the git commit; skipped when the registry already has that tag;
#   4. infra/bicep/main.bicep with that tag: what-if first, then the deployment (asks before applying unless --yes).
# Idempotent: a second run with the same commit and parameters changes nothing (what-if shows no change).
#
# Usage: scripts/deploy.sh --resource-group <rg> [--location <region>] [--what-if] [--yes] [--tag <tag>]
#                          --parameters <file.bicepparam | file.json | name=value> [--parameters ...]
#   --what-if     show what would change (template and image) and change nothing: no group, no build, no deployment
#   --yes         apply after printing the what-if, without asking
#   --tag         image tag (default: the git commit, with -dirty when the working tree has changes)
#   --parameters  passed to az deployment group what-if/create as they are; transitKey is required, e.g.
#                 --parameters environmentName=prod transitKey="$BF_TRANSIT_KEY" restorePrincipalIds='["<id>"]'
# Needs: az (logged in: az login; az account set -s <subscription>), git; on the resource group Owner, or
# Contributor + User Access Administrator (the template creates role assignments and custom roles).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
template="$root/infra/bicep/main.bicep"
repository=backupfunctions
deployment=main

group=""
location=""
what_if=false
yes=false
tag=""
parameters=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --resource-group|-g) group="${2:?$1 needs a value}"; shift 2 ;;
    --location|-l) location="${2:?$1 needs a value}"; shift 2 ;;
    --what-if) what_if=true; shift ;;
    --yes|-y) yes=true; shift ;;
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --parameters|-p) parameters+=(--parameters "${2:?--parameters needs a value}"); shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "deploy.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$group" ]] || { echo "deploy.sh: --resource-group is required" >&2; exit 2; }
[[ ${#parameters[@]} -gt 0 ]] || { echo "deploy.sh: --parameters is required (at least transitKey=...)" >&2; exit 2; }
command -v az > /dev/null || { echo "deploy.sh: the Azure CLI (az) is not installed" >&2; exit 1; }
az account show --query '{subscription:name, id:id, user:user.name}' -o table > /dev/null \
  || { echo "deploy.sh: not logged in: az login" >&2; exit 1; }

if [[ -z "$tag" ]]; then
  tag="$(git -C "$root" rev-parse --short=12 HEAD)"
  [[ -z "$(git -C "$root" status --porcelain)" ]] || tag="$tag-dirty"
fi
echo "deploy.sh: resource group $group, image $repository:$tag"

# 1. The resource group.
if [[ "$(az group exists --name "$group")" != "true" ]]; then
  if $what_if; then
    echo "what-if: resource group $group does not exist; it would be created (--location ${location:-<required>}), then everything in main.bicep."
    exit 0
  fi
  [[ -n "$location" ]] || { echo "deploy.sh: resource group $group does not exist: give --location" >&2; exit 2; }
  az group create --name "$group" --location "$location" --output none
  echo "created resource group $group in $location"
fi

# 2. The registry: from the last deployment's outputs, or (first run) a deployment with the base image.
registry="$(az deployment group show -g "$group" -n "$deployment" --query properties.outputs.registryName.value -o tsv 2> /dev/null || true)"
if [[ -z "$registry" ]]; then
  if $what_if; then
    echo "what-if: no earlier deployment: the first run deploys main.bicep with the public base image, builds $repository:$tag in the new registry, then deploys again with it. The template's changes:"
    az deployment group what-if -g "$group" -n "$deployment" --template-file "$template" "${parameters[@]}" --parameters appImageTag="$tag"
    exit 0
  fi
  echo "first deployment: the infrastructure with the public Functions base image (the app image does not exist yet)"
  az deployment group create -g "$group" -n "$deployment" --template-file "$template" "${parameters[@]}" \
    --parameters appImageTag= --output none
  registry="$(az deployment group show -g "$group" -n "$deployment" --query properties.outputs.registryName.value -o tsv)"
fi
echo "registry $registry"

# 3. The image, built in Azure (ACR Tasks) from the repository root; an existing tag is not rebuilt.
if az acr repository show --name "$registry" --image "$repository:$tag" --output none 2> /dev/null; then
  echo "image $repository:$tag already in $registry"
elif $what_if; then
  echo "what-if: would build $repository:$tag with: az acr build -r $registry -f infra/docker/Dockerfile -t $repository:$tag $root"
else
  az acr build --registry "$registry" --image "$repository:$tag" --file "$root/infra/docker/Dockerfile" \
    --platform linux/amd64 "$root"
fi

# 4. The template with the image: what-if, then (unless --what-if) apply.
if $what_if; then
  az deployment group what-if -g "$group" -n "$deployment" --template-file "$template" "${parameters[@]}" --parameters appImageTag="$tag"
  exit 0
fi
if $yes; then
  az deployment group what-if -g "$group" -n "$deployment" --template-file "$template" "${parameters[@]}" --parameters appImageTag="$tag"
  az deployment group create -g "$group" -n "$deployment" --template-file "$template" "${parameters[@]}" \
    --parameters appImageTag="$tag" --output none
else
  # Prints the what-if and asks before applying.
  az deployment group create -g "$group" -n "$deployment" --template-file "$template" "${parameters[@]}" \
    --parameters appImageTag="$tag" --confirm-with-what-if --output none
fi

az deployment group show -g "$group" -n "$deployment" --query properties.outputs -o jsonc
echo "deployed $repository:$tag; next: docs/deployment.md, \"First backup\""
