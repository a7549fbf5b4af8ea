# msp_psa — everyday commands. Each target brings up what it needs (scripts/bootstrap.sh).
#   make run    serve the demo database msp_demo on http://localhost:$(HTTP_PORT) (admin / admin)
#   make test   build a fresh msp_test database and run the whole suite with pytest-odoo,
#               then msp_test_queue with the queue_job bridge and its tests
#   make lint   ruff + pylint-odoo's mandatory checks, as in OCA repositories
#   make readme regenerate msp_psa/README.rst and msp_psa_queue/README.rst from their readme/
#   make bench  time the invoicing run on N (default 10000) agreements: N=1000 make bench
#   make chaos  kill real odoo-bin servers mid billing run, check nothing is lost or doubled: N=1000 make chaos
#   make prodbench  time billing on real odoo-bin cron threads, 1 and 2 workers, beside the floor: N=1000 make prodbench
#   make pot    regenerate msp_psa/i18n/msp_psa.pot from the msp_test database
SHELL := /bin/bash
ODOO_SRC ?= /opt/odoo/18.0
HTTP_PORT ?= 8069
export ODOO_SRC HTTP_PORT

.PHONY: run test lint format setup update-demo reset-demo readme pot bench chaos prodbench

setup:
	@scripts/bootstrap.sh

run:
	@scripts/run.sh

update-demo:
	@UPDATE=1 scripts/run.sh --stop-after-init

reset-demo:
	@scripts/bootstrap.sh && dropdb --if-exists msp_demo && echo "msp_demo dropped: the next 'make run' rebuilds it"

test:
	@scripts/test.sh

lint:
	@scripts/lint.sh

format:
	@scripts/bootstrap.sh && .venv/bin/ruff format msp_psa msp_psa_queue scripts && .venv/bin/ruff check --fix msp_psa msp_psa_queue scripts

readme:
	@python3 scripts/gen_readme.py

pot:
	@scripts/bootstrap.sh && .venv/bin/python $(ODOO_SRC)/odoo-bin -c .odoo.conf -d msp_test \
		--i18n-export=msp_psa/i18n/msp_psa.pot --modules=msp_psa --stop-after-init --log-level=error

bench:
	@scripts/bench.sh

chaos:
	@scripts/chaos.sh

prodbench:
	@scripts/prodbench.sh
