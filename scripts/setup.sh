#!/usr/bin/env bash
# Installs what the repository's commands need and the machine may lack:
# npm packages (from package-lock.json) and, for the SBF pipeline, debootstrap
# (scripts/sbf/sid-root.sh installs it). Rust comes with the machine (rustup).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust (rustup) first" >&2; exit 1; }
command -v node >/dev/null || { echo "setup: node not found; install Node.js 20+ first" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional
  # packages (litesvm-darwin-*, …) out of the lock, which `npm ci` rejects.
  # The locked versions are still the ones installed.
  echo "[setup] npm install (a first install compiles better-sqlite3, the API's key store: about a minute)" >&2
  # Native packages build against the headers installed beside node (no
  # download of them: this machine's network may not reach nodejs.org).
  npm_config_nodedir=${npm_config_nodedir:-$(node -p 'require("path").resolve(process.execPath, "../..")')} \
    npm install --no-audit --no-fund --loglevel=error
fi
