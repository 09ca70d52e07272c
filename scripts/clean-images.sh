#!/usr/bin/env bash
# Removes the images tests and runs leave behind: names starting with r2d (swift-r2d's default
# image names, as in repo2docker) or swift-r2d-test-. The base image swift-r2d/test-base is kept.
set -euo pipefail

# repo:tag when tagged, else the image id (an untagged name cannot be removed by name).
mapfile -t images < <(docker image ls --format '{{.Repository}} {{.Tag}} {{.ID}}' |
  awk '$1 ~ /^(r2d|swift-r2d-test-)/ { print ($2 == "<none>" ? $3 : $1 ":" $2) }' | sort -u)

if ((${#images[@]} == 0)); then
  echo "clean-images: nothing to remove"
  exit 0
fi
echo "clean-images: removing ${#images[@]} image(s)"
docker image rm --force "${images[@]}" >/dev/null
