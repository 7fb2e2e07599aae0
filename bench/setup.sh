#!/usr/bin/env bash
# What the benchmark needs beyond `make setup`: the espeak-ng command (Debian package, for the
# audio floor) and a separate venv with Sphinx, sphinx-intl and myst-parser (for the catalog
# comparison). Idempotent; a missing piece is reported and its measurement shows "n/a".
#   bash bench/setup.sh            both
#   bash bench/setup.sh espeak     only espeak-ng
#   bash bench/setup.sh sphinx     only the Sphinx venv
set -uo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
status=0

if [ "$what" = all ] || [ "$what" = espeak ]; then
  if ! command -v espeak-ng >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      echo "bench/setup: installing the Debian package espeak-ng (audio floor)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends espeak-ng >/dev/null || status=1
    else
      echo "bench/setup: espeak-ng is missing; run: sudo apt-get install espeak-ng" >&2
      status=1
    fi
  fi
fi

if [ "$what" = all ] || [ "$what" = sphinx ]; then
  # Sphinx, sphinx-intl and myst-parser at the versions in uv.lock (the `bench` group), in a
  # venv of their own so they never mix with the pipeline's packages.
  venv=bench/work/sphinx-venv
  if [ ! -x "$venv/bin/sphinx-intl" ] || [ ! -x "$venv/bin/sphinx-build" ] || [ uv.lock -nt "$venv/bin/sphinx-build" ]; then
    echo "bench/setup: creating $venv (sphinx, sphinx-intl, myst-parser from uv.lock)"
    if bash scripts/setup.sh uv && UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT="$venv" \
        .tools/uv/bin/uv sync --locked --quiet --only-group bench --no-install-project; then
      touch "$venv/bin/sphinx-build"
    else
      echo "bench/setup: could not create $venv" >&2; rm -rf "$venv"; status=1
    fi
  fi
fi
exit $status
