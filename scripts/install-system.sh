#!/usr/bin/env bash
# Debian packages the tests need: Chromium and a font with every Kazakh letter (browser tests),
# PostgreSQL (the backend suite's second run, scripts/pg-test.sh), wrk (the load benchmark,
# `python -m bench --only load`, and its smoke test).
# Runs apt only when something is missing; needs root (as on these machines and in CI).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s postgresql >/dev/null 2>&1 || need+=(postgresql)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${need[*]} — run: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
