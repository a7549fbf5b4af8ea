#!/usr/bin/env bash
# The OCA linters as configured in OCA repositories: ruff (lint + format check) and
# pylint-odoo's mandatory checks (.pylintrc-mandatory).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
echo "[lint] ruff check"
.venv/bin/ruff check --no-fix msp_psa msp_psa_queue scripts
echo "[lint] ruff format --check"
.venv/bin/ruff format --check msp_psa msp_psa_queue scripts
echo "[lint] pylint-odoo (mandatory checks)"
.venv/bin/pylint --rcfile=.pylintrc-mandatory msp_psa msp_psa_queue
echo "[lint] msp_psa/README.rst and msp_psa_queue/README.rst up to date with readme/"
python3 scripts/gen_readme.py --check
echo "[lint] all clean"
