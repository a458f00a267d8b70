#!/usr/bin/env bash
# Builds the BackupFunctions container image (infra/docker/Dockerfile) with Docker, from the repository root as the
# build context, and optionally pushes it.
# Usage: infra/docker/build.sh [--tag <image:tag>] [--push] [--pg-major <n>]
#   --tag       image name and tag (default backupfunctions:<git short commit>, "-dirty" with local changes)
#   --push      docker push the tag afterwards (log in first: az acr login -n <registry>)
#   --pg-major  PostgreSQL client major (default: the Dockerfile's PG_MAJOR)
# Needs Docker with BuildKit (Docker 23+). Without Docker, build in Azure instead:
#   az acr build -r <registry> -f infra/docker/Dockerfile -t backupfunctions:<tag> .
# (scripts/deploy.sh does that).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

tag=""
push=false
build_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --push) push=true; shift ;;
    --pg-major) build_args+=(--build-arg "PG_MAJOR=${2:?--pg-major needs a value}"); shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! command -v docker > /dev/null; then
  echo "build.sh: docker is not installed; use az acr build (see the header of this script)" >&2
  exit 1
fi

if [[ -z "$tag" ]]; then
  commit="$(git -C "$root" rev-parse --short=12 HEAD)"
  if [[ -n "$(git -C "$root" status --porcelain)" ]]; then commit="$commit-dirty"; fi
  tag="backupfunctions:$commit"
fi

DOCKER_BUILDKIT=1 docker build \
  --file "$here/Dockerfile" \
  --tag "$tag" \
  --platform linux/amd64 \
  "${build_args[@]}" \
  "$root"

# The tools the backups depend on must be in the image and runnable.
docker run --rm --entrypoint /bin/sh "$tag" -c '"$Postgres__BinDirectory/pg_dump" --version && "$Postgres__BinDirectory/pg_restore" --version'

if $push; then
  docker push "$tag"
fi
echo "$tag"
