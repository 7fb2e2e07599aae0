#!/usr/bin/env bash
# Prepares a fresh Debian machine: system packages (when root), uv, the venv with exactly the
# locked Python packages, and the locked npm packages. Idempotent: done steps are skipped.
#   bash scripts/setup.sh site    what `make site` needs (runtime packages)
#   bash scripts/setup.sh test    what `make test` needs (runtime + test packages, browser, Java)
#   bash scripts/setup.sh uv      only uv itself (for `make lock` / `make upgrade`)
#
# Python packages come from uv.lock only (exact versions and sha256 hashes, `uv sync --locked`):
# a lock that no longer matches pyproject.toml stops set-up instead of installing something
# unlocked. uv itself is pinned by hash in scripts/uv-requirements.txt and installed by pip
# with --require-hashes into .tools/uv (outside .venv, which `uv sync` keeps exact).
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-site}"

need_apt=()
if [ "$want" != uv ]; then
  command -v msgmerge >/dev/null || need_apt+=(gettext)
  # Noto fonts render Chinese, Vietnamese and Arabic pages and screenshots.
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
  [ -d /usr/share/fonts/truetype/noto ] || need_apt+=(fonts-noto-core)
fi
if [ "$want" = test ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v java >/dev/null || need_apt+=(default-jre-headless)
  command -v npm >/dev/null || need_apt+=(npm)
  # pdfinfo and pdftotext check the PDF handouts as readers' software sees them.
  command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
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

# uv, pinned by hash. The stamp names the requirements file's content, so a new pin reinstalls.
uv_dir=.tools/uv
uv_stamp="$uv_dir/.installed-$(sha1sum scripts/uv-requirements.txt | cut -c1-12)"
if [ ! -e "$uv_stamp" ]; then
  echo "setup: installing uv (scripts/uv-requirements.txt, hash-checked)"
  rm -rf "$uv_dir"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --require-hashes \
    --target "$uv_dir" -r scripts/uv-requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  [ -x "$uv_dir/bin/uv" ] || { echo "setup: could not install uv (see pip's message above)" >&2; exit 1; }
  touch "$uv_stamp"
fi
[ "$want" = uv ] && exit 0
export UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv UV_NO_PROGRESS=1

# Python packages: exactly uv.lock. `site` keeps packages the tests installed (--inexact) so the
# two targets do not uninstall each other's; `test` syncs the runtime and test extras exactly.
case "$want" in
  test) sync_args=(--extra test) ;;
  *) sync_args=(--inexact) ;;
esac
[ -x .venv/bin/python ] || echo "setup: creating .venv with the locked Python packages (uv.lock)"
if ! out=$("$uv_dir/bin/uv" sync --locked --quiet "${sync_args[@]}" 2>&1); then
  if grep -qi "lockfile .* needs to be updated" <<<"$out"; then
    echo "setup: uv.lock does not match pyproject.toml; run 'make lock', then 'make test', and commit uv.lock" >&2
  else
    echo "$out" >&2
    echo "setup: could not install the locked Python packages (uv sync --locked)" >&2
  fi
  exit 1
fi

# npm packages (test only): exactly package-lock.json.
if [ "$want" = test ]; then
  npm_stamp="node_modules/.installed-$(cat package.json package-lock.json | sha1sum | cut -c1-12)"
  if [ ! -e "$npm_stamp" ]; then
    echo "setup: installing axe-core and the Nu HTML Checker (npm ci, package-lock.json)"
    npm ci --no-audit --no-fund --silent >/dev/null
    touch "$npm_stamp"
  fi
fi
# Bytecode for the package: pip compiles what it installs but not an editable install, and
# where PYTHONDONTWRITEBYTECODE is set every command would compile the sources again (a
# fifth of a rebuild's start-up). Only changed files are compiled; stale ones are ignored.
.venv/bin/python -m compileall -q pipeline >/dev/null || true
# The same for the installed packages, once per lock: uv installs no bytecode, and with
# PYTHONDONTWRITEBYTECODE set (as on these machines) every command compiled jinja2, babel and
# the rest again: 0.64 s of a one-msgstr rebuild's 1.5 s.
pyc_stamp=".venv/.compiled-$(cat uv.lock | sha1sum | cut -c1-12)-$want"
if [ ! -e "$pyc_stamp" ]; then
  .venv/bin/python -m compileall -q -j0 "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null 2>&1 || true
  rm -f .venv/.compiled-* && touch "$pyc_stamp"
fi
echo "setup: ready"
