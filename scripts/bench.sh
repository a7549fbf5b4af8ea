#!/usr/bin/env bash
# make bench: a throw-away database msp_bench with msp_psa (no demo), then the
# invoicing benchmark of scripts/bench.py. N=1000 make bench for a quick one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
cd "$ROOT"
DB=${BENCH_DB:-msp_bench}
dropdb --if-exists "$DB"
echo "[bench] building database $DB" >&2
.venv/bin/python "$ODOO_SRC/odoo-bin" -c .odoo.conf -d "$DB" -i msp_psa \
    --stop-after-init --without-demo=all --log-level=warn
PYTHONPATH="$ODOO_SRC" .venv/bin/python scripts/bench.py -c .odoo.conf --db "$DB" \
    -n "${N:-10000}" --workers "${WORKERS:-2}" "$@"
dropdb --if-exists "$DB"
