#!/usr/bin/env bash
# Build a fresh test database with msp_psa (and its demo data, so the demo is tested
# too), then run the whole suite with pytest-odoo. Exits non-zero on any failure.
# That database has no queue_job: it proves msp_psa works alone. A second, smaller
# one (${TEST_DB}_queue, without demo data) installs the msp_psa_queue bridge, which
# brings OCA queue_job, and runs the bridge's tests only. With arguments (test
# paths), only those run, in the first database.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
DB=${TEST_DB:-msp_test}
cd "$ROOT"
# The Odoo source goes first on the path: the OCA wheels' site-packages/odoo would shadow it.
run_tests() {
    local db=$1
    shift
    PYTHONPATH="$ODOO_SRC" .venv/bin/pytest -p no:cacheprovider \
        --odoo-database="$db" --odoo-config=.odoo.conf --odoo-http \
        -o log_cli=false "$@"
}
echo "[test] building database $DB"
dropdb --if-exists "$DB"
.venv/bin/python "$ODOO_SRC/odoo-bin" -c .odoo.conf -d "$DB" -i msp_psa --stop-after-init --log-level=warn
echo "[test] running the suite"
run_tests "$DB" "${@:-msp_psa/tests}"
[ $# -eq 0 ] || exit 0
QDB="${DB}_queue"
echo "[test] building database $QDB (msp_psa_queue: msp_psa with OCA queue_job)"
dropdb --if-exists "$QDB"
.venv/bin/python "$ODOO_SRC/odoo-bin" -c .odoo.conf -d "$QDB" -i msp_psa_queue \
    --without-demo=all --stop-after-init --log-level=warn
echo "[test] running the queue_job bridge's tests"
run_tests "$QDB" msp_psa_queue/tests
