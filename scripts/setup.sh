#!/usr/bin/env bash
# Prepares a fresh Debian machine: system packages (when root), the venv, Python and npm packages.
# Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test="${1:-}"

need_apt=()
command -v msgmerge >/dev/null || need_apt+=(gettext)
if [ "$want_test" = test ] || [ "$want_test" = site ]; then
  # Noto fonts render Chinese, Vietnamese and Arabic pages and screenshots.
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
  [ -d /usr/share/fonts/truetype/noto ] || need_apt+=(fonts-noto-core)
fi
if [ "$want_test" = test ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v java >/dev/null || need_apt+=(default-jre-headless)
  command -v npm >/dev/null || need_apt+=(npm)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${need_apt[*]}" >&2
    echo "setup: run as root, or: sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)
if [ ! -e "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import pipeline, babel, polib, jinja2, pyttsx3" 
  rm -f .venv/.installed-*
  touch "$stamp"
fi
if [ "$want_test" = test ] && [ ! -e node_modules/.installed ] || [ package.json -nt node_modules/.installed ]; then
  if [ "$want_test" = test ]; then
    echo "setup: installing axe-core and the Nu HTML Checker (npm)"
    npm install --no-audit --no-fund --silent >/dev/null
    touch node_modules/.installed
  fi
fi
# Bytecode for the package: pip compiles what it installs but not an editable install, and
# where PYTHONDONTWRITEBYTECODE is set every command would compile the sources again (a
# fifth of a rebuild's start-up). Only changed files are compiled; stale ones are ignored.
.venv/bin/python -m compileall -q pipeline >/dev/null || true
echo "setup: ready"
