#!/bin/sh
# Installs the npm packages (Deno included, from the npm package `deno`) when they are missing or
# older than package-lock.json, so `npm test` and `npm run score` work on a fresh clone.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ ! -x node_modules/.bin/deno ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[scratch-oracle] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
