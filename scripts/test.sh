#!/usr/bin/env bash
# Build a fresh test database with msp_psa (and its demo data, so the demo is tested
# too), then run the whole suite with pytest-odoo. Exits non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
DB=${TEST_DB:-msp_test}
cd "$ROOT"
echo "[test] building database $DB"
dropdb --if-exists "$DB"
.venv/bin/python "$ODOO_SRC/odoo-bin" -c .odoo.conf -d "$DB" -i msp_psa --stop-after-init --log-level=warn
echo "[test] running the suite"
# The Odoo source goes first on the path: the OCA wheels' site-packages/odoo would shadow it.
PYTHONPATH="$ODOO_SRC" .venv/bin/pytest -p no:cacheprovider \
    --odoo-database="$DB" --odoo-config=.odoo.conf --odoo-http \
    -o log_cli=false "${@:-msp_psa/tests}"
