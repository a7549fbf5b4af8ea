#!/usr/bin/env bash
# make prodbench: a throw-away database msp_pbench with msp_psa (no demo) and
# N agreements (default 10000; N=1000 for a quick one), billed by real odoo-bin
# servers' cron threads on copies of it (scripts/prodbench.py), with one and
# two billing workers, beside the bare account.move.create floor. Not part of
# make test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
export ODOO_SRC
cd "$ROOT"
DB=${PRODBENCH_DB:-msp_pbench}
dropdb --if-exists "$DB"
echo "[prodbench] building database $DB" >&2
.venv/bin/python "$ODOO_SRC/odoo-bin" -c .odoo.conf -d "$DB" -i msp_psa \
    --stop-after-init --without-demo=all --log-level=warn
status=0
PYTHONPATH="$ODOO_SRC" .venv/bin/python scripts/prodbench.py -c .odoo.conf --db "$DB" \
    -n "${N:-10000}" --port "${PRODBENCH_PORT:-8195}" "$@" || status=$?
dropdb --if-exists "$DB"
exit $status
