# Two entry points for a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pip's configured find-links folder holds the CPU torch wheel on these machines;
# uv does not read pip's config, so it is passed on explicitly.
FIND_LINKS := $(shell pip config get global.find-links 2>/dev/null || true)
UV_FLAGS := $(if $(FIND_LINKS),--find-links $(FIND_LINKS),)
export PREFECT_SERVER_ANALYTICS_ENABLED := false
# The temporary server Prefect starts for a flow run takes 8-14 s here, longer when
# the two cores are busy; its default 20 s wait is too tight.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_HOME ?= $(CURDIR)/.cache/prefect
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test bench serve stop train evaluate clean

install: $(STAMP)
	@# Prefect makes its home folder but not the folders above it (.cache/ on a fresh clone).
	@mkdir -p "$(PREFECT_HOME)"

$(STAMP): pyproject.toml setup.py constraints.txt
	@command -v uv >/dev/null || $(PYTHON) -m pip install -q uv
	@test -x $(PY) || uv venv -q -p $(PYTHON) $(VENV)
	uv pip install -q --python $(PY) $(UV_FLAGS) torch==2.13.0
	uv pip install -q --python $(PY) $(UV_FLAGS) -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

demo: install
	$(VENV)/bin/shenava demo

test: install
	bash scripts/setup-browser.sh
	$(PY) -m pytest -q

bench: install
	$(PY) -m bench

# Prefect server + work pool + deployments + worker on 127.0.0.1 (README: Running on a server).
serve: install
	scripts/serve.sh

stop:
	scripts/stop.sh

train: install
	$(VENV)/bin/shenava train

evaluate: install
	$(VENV)/bin/shenava evaluate

clean:
	rm -rf $(VENV) .cache data reports test-output
