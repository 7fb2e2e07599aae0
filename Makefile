# Two commands do everything on a fresh Debian machine:
#   make site   build the sample site in output/ (extract, update, build)
#   make test   run the test suite (unit, catalogs, browser, speech)
PY := .venv/bin/python
PIPELINE := $(PY) -m pipeline

UV := .tools/uv/bin/uv

.PHONY: all site setup setup-test test test-fast golden bench clean lock upgrade

all: site

setup:
	@bash scripts/setup.sh site

setup-test:
	@bash scripts/setup.sh test

site: setup
	$(PIPELINE) extract
	$(PIPELINE) update
	$(PIPELINE) build

test: setup-test
	$(PY) -m pytest -n 2 --dist loadfile -q

# Tests without the browser and speech suites, for quick iteration.
test-fast: setup-test
	$(PY) -m pytest -q -m "not browser and not speech"

# Regenerate the golden files under tests/golden/ after an intended output change.
golden: setup-test
	$(PY) -m tests.regenerate_golden

bench: setup
	$(PY) -m bench.run

# Versions move only here. `make lock` re-locks after an edit to pyproject.toml, keeping every
# other version; `make upgrade` moves everything to the newest release the ranges allow. Then
# run `make test` and commit uv.lock (see README, "Upgrading dependencies").
lock:
	@bash scripts/setup.sh uv
	UV_PYTHON_DOWNLOADS=never $(UV) lock

upgrade:
	@bash scripts/setup.sh uv
	UV_PYTHON_DOWNLOADS=never $(UV) lock --upgrade

clean:
	rm -rf output .pytest_cache
