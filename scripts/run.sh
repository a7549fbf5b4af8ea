#!/usr/bin/env bash
# Serve the demo database msp_demo, building it on first use.
# A second run reuses the database as it is; when msp_psa's code changed since the
# database was last built or updated, the module is updated first (data kept).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
DB=${DB:-msp_demo}
HTTP_PORT=${HTTP_PORT:-8069}
ODOO=("$ROOT/.venv/bin/python" "$ODOO_SRC/odoo-bin" -c "$ROOT/.odoo.conf")
stamp_file="$ROOT/.odoo-data/$DB.stamp"
code_hash=$(cd "$ROOT" && find msp_psa -type f ! -name '*.pyc' ! -path '*/tests/*' -print0 | sort -z | xargs -0 cat | sha1sum | cut -d' ' -f1)
mkdir -p "$ROOT/.odoo-data"

installed=$(psql -d "$DB" -Atc "select state from ir_module_module where name='msp_psa'" 2>/dev/null || true)
if [ "$installed" != "installed" ]; then
    echo "[run] building database $DB with msp_psa and its demo data (about a minute)"
    dropdb --if-exists "$DB"
    "${ODOO[@]}" -d "$DB" -i msp_psa --stop-after-init --log-level=warn
    echo "$code_hash" > "$stamp_file"
elif [ "${UPDATE:-}" = 1 ] || [ "$(cat "$stamp_file" 2>/dev/null)" != "$code_hash" ]; then
    echo "[run] msp_psa changed since $DB was built: updating the module (data kept)"
    "${ODOO[@]}" -d "$DB" -u msp_psa --stop-after-init --log-level=warn
    echo "$code_hash" > "$stamp_file"
fi
if [ "${1:-}" = "--stop-after-init" ]; then
    exit 0
fi
# wkhtmltopdf fetches the reports' styles from this server: point it here, whatever
# port the database was built or last served on.
psql -d "$DB" -qc "INSERT INTO ir_config_parameter (key, value) VALUES ('report.url', 'http://127.0.0.1:$HTTP_PORT')
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value" >/dev/null
echo "[run] serving $DB on http://localhost:$HTTP_PORT (login admin, password admin)"
exec "${ODOO[@]}" -d "$DB" --db-filter "^$DB\$" --http-port "$HTTP_PORT" "$@"
