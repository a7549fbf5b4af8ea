#!/usr/bin/env bash
# Brings up everything msp_psa needs on this machine, idempotently:
#   - an Odoo 18.0 source tree at $ODOO_SRC (cloned from odoo/odoo 18.0 if missing),
#   - a virtualenv ($VENV) with Odoo's requirements, the OCA addons (queue_job for the
#     msp_psa_queue bridge included) and the test/lint tools,
#   - a PostgreSQL server that answers, with a superuser role for the current OS user,
#   - an Odoo configuration file ($ODOO_CONF).
# A second call does nothing that is already done and returns in a second or two.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
VENV=${VENV:-$ROOT/.venv}
ODOO_CONF=${ODOO_CONF:-$ROOT/.odoo.conf}
PYTHON=${PYTHON:-python3.11}

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

# --- 1. Odoo source -----------------------------------------------------------
if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
    say "no Odoo source at $ODOO_SRC: cloning odoo/odoo branch 18.0 (shallow)"
    mkdir -p "$(dirname "$ODOO_SRC")" 2>/dev/null || true
    if ! git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_SRC"; then
        die "could not get Odoo 18.0. Clone it yourself
    (git clone --depth 1 -b 18.0 https://github.com/odoo/odoo.git /opt/odoo/18.0)
or point ODOO_SRC at an Odoo 18.0 source tree: ODOO_SRC=/path/to/odoo make ..."
    fi
fi
grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" 2>/dev/null \
    || die "$ODOO_SRC is not an Odoo 18.0 source tree (odoo/release.py does not say 18.0)"

# --- 2. virtualenv --------------------------------------------------------------
command -v "$PYTHON" >/dev/null || PYTHON=python3
# The stamp covers this section of the script (not the others: adding a system
# package below must not re-run pip) and the requirement files.
want=$({ sed -n '/^# --- 2\. virtualenv/,/^# --- 3\./p' "$ROOT/scripts/bootstrap.sh"
         cat "$ROOT/requirements-dev.txt" "$ROOT/requirements-queue.txt" \
             "$ODOO_SRC/requirements.txt"; } | sha1sum | cut -d' ' -f1)
have=$(cat "$VENV/.msp_psa_venv_stamp" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    say "building virtualenv $VENV (first run takes a few minutes)"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip wheel "setuptools<81"
    # Odoo pins two packages that do not install on Python 3.11 as pinned:
    #  - cbor2 5.4.2 has no wheel and no longer builds: 5.6.2 (Odoo's own pin for 3.12) is API-compatible;
    #  - python-ldap needs the libldap/libsasl headers and only serves the optional auth_ldap module.
    sed -e "s/^cbor2==5.4.2.*/cbor2==5.6.2/" -e "/^python-ldap/d" \
        "$ODOO_SRC/requirements.txt" > "$VENV/odoo-requirements.txt"
    if ! command -v pg_config >/dev/null; then
        say "psycopg2 needs libpq headers: installing libpq-dev"
        (apt-get update -qq && apt-get install -y -qq libpq-dev) >/dev/null 2>&1 || true
    fi
    "$VENV/bin/pip" install -q -r "$VENV/odoo-requirements.txt"
    # OCA addons from PyPI require Odoo as a distribution.
    "$VENV/bin/pip" install -q --no-deps -e "$ODOO_SRC"
    "$VENV/bin/pip" install -q -r "$ROOT/requirements-dev.txt"
    # The msp_psa_queue bridge's dependency (its tests run in their own database).
    "$VENV/bin/pip" install -q -r "$ROOT/requirements-queue.txt"
    echo "$want" > "$VENV/.msp_psa_venv_stamp"
fi

# --- 3. PostgreSQL ------------------------------------------------------------
pg_up() { pg_isready -q 2>/dev/null; }
if ! pg_up; then
    if ! command -v pg_ctlcluster >/dev/null; then
        say "no PostgreSQL server on this machine: installing Debian's postgresql"
        (apt-get update -qq && apt-get install -y -qq postgresql) >/dev/null \
            || die "could not install PostgreSQL; install it and start it, then run again"
    fi
    cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1" "$2}')
    [ -n "$cluster" ] || die "PostgreSQL is installed but has no cluster (pg_createcluster 15 main)"
    say "starting PostgreSQL cluster $cluster"
    pg_ctlcluster $cluster start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
    pg_up || die "PostgreSQL does not answer after starting it"
fi
me=$(whoami)
[ "$me" != "postgres" ] || die "run as a user other than postgres: Odoo refuses to connect as the postgres role"
if ! psql -d postgres -Atc "select 1" >/dev/null 2>&1; then
    say "creating PostgreSQL role $me"
    if [ "$(id -u)" = 0 ]; then
        su postgres -c "createuser -s '$me'" 2>/dev/null || true
    else
        sudo -u postgres createuser -s "$me" 2>/dev/null || true
    fi
    psql -d postgres -Atc "select 1" >/dev/null 2>&1 \
        || die "cannot connect to PostgreSQL as role $me; create it: sudo -u postgres createuser -s $me"
fi

# --- 4. Chromium for the browser tours (Odoo's HttpCase finds it on PATH) -------
if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null \
        && ! command -v chromium-browser >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        say "installing Debian's chromium for the browser tours"
        (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 \
            || say "could not install chromium: the browser tours will be skipped"
    else
        say "no Chromium on PATH (apt-get install chromium): the browser tours will be skipped"
    fi
fi

# --- 5. wkhtmltopdf and fonts for the PDF reports, poppler-utils to read them ---
# Odoo finds wkhtmltopdf on PATH when the server starts. Debian's 0.12.6 (unpatched
# Qt) renders every report's body; it ignores the letterhead header/footer, prints
# one document per call, and draws web fonts as outlines: fonts-lato puts the
# reports' Lato on the system, so their text stays text (msp_psa report_fonts.scss).
if ! command -v wkhtmltopdf >/dev/null || ! command -v pdftotext >/dev/null \
        || [ -z "$(fc-list Lato 2>/dev/null)" ]; then
    if [ "$(id -u)" = 0 ]; then
        say "installing Debian's wkhtmltopdf, poppler-utils and fonts for the PDF reports"
        apt-get update -qq >/dev/null 2>&1 || true
        pdf_pkgs="wkhtmltopdf poppler-utils fonts-lato fonts-dejavu-core"
        for pkg in fonts-liberation2 fonts-noto-core; do
            [ -n "$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ] \
                && pdf_pkgs="$pdf_pkgs $pkg"
        done
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pdf_pkgs >/dev/null 2>&1 \
            || say "could not install $pdf_pkgs: Print and Download PDF will fail, the PDF tests are skipped"
    else
        say "no wkhtmltopdf, pdftotext or system Lato font: reports do not print (or print their text as outlines);
    install them: sudo apt-get install wkhtmltopdf poppler-utils fonts-lato fonts-dejavu-core fonts-liberation2"
    fi
fi

# --- 6. Odoo configuration ----------------------------------------------------
site=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$site/odoo/addons,$ROOT
admin_passwd = admin
data_dir = $ROOT/.odoo-data
list_db = True
log_level = info
http_port = ${HTTP_PORT:-8069}
CONF
