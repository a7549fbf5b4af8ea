#!/usr/bin/env bash
# make chaos: a throw-away database msp_chaos with msp_psa (no demo) and N
# agreements (default 10000; N=1000 for a quick one), then the SIGKILL
# scenarios of scripts/chaos.py on copies of it. Not part of make test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
export ODOO_SRC
cd "$ROOT"
DB=${CHAOS_DB:-msp_chaos}
dropdb --if-exists "$DB"
echo "[chaos] building database $DB" >&2
.venv/bin/python "$ODOO_SRC/odoo-bin" -c .odoo.conf -d "$DB" -i msp_psa \
    --stop-after-init --without-demo=all --log-level=warn
status=0
PYTHONPATH="$ODOO_SRC" .venv/bin/python scripts/chaos.py -c .odoo.conf --db "$DB" \
    -n "${N:-10000}" --port "${CHAOS_PORT:-8191}" "$@" || status=$?
dropdb --if-exists "$DB"
exit $status
