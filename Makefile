# clv-research: `make report` and `make test` are all a new user needs (each builds .venv first if needed).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := clv-research
SYNCED := nbs clv_research README.md

.DEFAULT_GOAL := help
.PHONY: help env test check-sync nbtest pytest report lab sync clean-reports bench docs

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): settings.ini setup.py pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (clv-research)" >/dev/null
	@touch $@

env: $(STAMP) ## Create or update .venv (pip install -e ".[dev]", Jupyter kernel `clv-research`)

TEMPLATES := experiment comparison cdnow_data

sync: $(STAMP) ## Clean notebooks, export the library, copy the report templates into the package, regenerate README.md
	$(BIN)/nbdev_clean
	$(BIN)/nbdev_export
	@# the report templates' source is nbs/reports/; the installed package ships a copy (clv_research.sweep.templates_dir)
	@mkdir -p clv_research/templates
	@for t in $(TEMPLATES); do cp nbs/reports/$$t.ipynb clv_research/templates/$$t.ipynb; done
	@# nbdev_clean strips language_info, which nbconvert needs to tag the README's code blocks as python
	$(BIN)/python -c "import nbconvert, nbformat; nb = nbformat.read('nbs/index.ipynb', 4); nb.metadata['language_info'] = {'name': 'python'}; print(nbconvert.MarkdownExporter().from_notebook_node(nb)[0], end='')" > README.md

check-sync: $(STAMP) ## Fail if notebooks are unclean, or the library or README are out of sync with them
	@before=$$(find $(SYNCED) -type f \( -name '*.ipynb' -o -name '*.py' -o -name '*.md' \) -not -path '*/.ipynb_checkpoints/*' | sort | xargs sha256sum); \
	$(MAKE) --no-print-directory sync >/dev/null; \
	after=$$(find $(SYNCED) -type f \( -name '*.ipynb' -o -name '*.py' -o -name '*.md' \) -not -path '*/.ipynb_checkpoints/*' | sort | xargs sha256sum); \
	if [ "$$before" != "$$after" ]; then \
	  echo "check-sync: 'make sync' changed these files; review and commit them:"; \
	  diff <(echo "$$before") <(echo "$$after") | sed -n 's/^> [0-9a-f]*  /  /p'; exit 1; \
	else echo "check-sync: notebooks clean, library and README in sync"; fi

nbtest: $(STAMP) ## Run the notebook tests, each notebook in a process of its own like a fresh kernel (FLAGS=slow: slow cells too)
	@# one process per notebook (notebooks register their own model classes, which must not leak into the next one),
	@# largest first so that the two workers finish together
	@ls -S nbs/*.ipynb | xargs -P 2 -I{} bash -c 'start=$$SECONDS; \
	  if out=$$($(BIN)/nbdev_test --path {} $(if $(FLAGS),--flags $(FLAGS)) 2>&1); then echo "ok    {} ($$((SECONDS - start)) s)"; \
	  else echo "FAILED {}"; echo "$$out" | grep -v "^WARNING"; exit 1; fi' \
	  || { echo "nbtest: some notebooks failed (above)"; exit 1; }

pytest: $(STAMP) ## Run the pytest suite in tests/
	$(BIN)/python -m pytest tests -q

test: check-sync nbtest pytest ## Every check: sync, notebook tests, pytest

report: $(STAMP) ## Regenerate the default CDNOW comparison report from scratch under reports/cdnow/ (about 7 minutes on 2 cores)
	@# from scratch: run folders of earlier versions of the sweep (other run ids) must not linger in the report
	@rm -rf reports/cdnow/runs
	@mkdir -p reports/cdnow
	$(BIN)/papermill --log-level WARNING -k $(KERNEL) nbs/reports/cdnow_data.ipynb reports/cdnow/data.ipynb -p dataset cdnow
	$(BIN)/python -m clv_research.report render reports/cdnow/data.ipynb reports/cdnow/data.html --title "CDNOW: data"
	$(BIN)/clv-sweep nbs/reports/cdnow.yml --out reports --jobs 2 --force
	@echo "report: reports/cdnow/index.html"

docs: $(STAMP) ## Run every notebook (SLOW=1: slow cells too) and render it to HTML under _docs/ (open _docs/index.html)
	$(BIN)/python -m clv_research.docs --n_workers 2 $(if $(SLOW),--flags slow)

lab: $(STAMP) ## Open JupyterLab on the notebooks
	$(BIN)/jupyter lab nbs

bench: $(STAMP) ## Run the speed benchmarks in benchmarks/ against the peer libraries (prints figures; not part of `make test`)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done
