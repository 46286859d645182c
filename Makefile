# Every target installs what it needs into .venv first, so each works on a fresh machine.
VENV   ?= .venv
PY     := $(VENV)/bin/python
SHARED ?= ../shared
AREAS  ?= foundation wapi cdn s3

.PHONY: test demo bench docs lint clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all]'
	touch $@

test: $(VENV)/.installed
	$(PY) -m ruff check $(wildcard src tests benchmarks examples)
	@if [ -f $(SHARED)/tools/check_api.py ]; then $(PY) $(SHARED)/tools/check_api.py $(AREAS); fi
	$(PY) -m pytest tests src/wamedia

demo: $(VENV)/.installed
	$(PY) -m wamedia.demo

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

lint: $(VENV)/.installed
	$(PY) -m ruff check $(wildcard src tests benchmarks examples)

docs: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[docs]'
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) site media_storage demo_media
