#!/usr/bin/env python3
"""Crash safety of the billing run, shown with SIGKILL (make chaos).

Builds N agreements (bench.py's comparable shape, due on bench.DAY) in the
database given, copies it (``createdb -T``) once per scenario plus once for
an undisturbed reference run, then per scenario:

- sets the company's *Billing workers*, makes the billing cron due now (the
  other scheduled actions are put off, so that only billing runs);
- starts real ``odoo-bin`` servers (``--workers=0``, cron threads, their own
  ``--http-port``, ``--db-filter``) on the copy;
- kills a server with SIGKILL at two random moments of the run (when a random
  share of the agreements is billed) and restarts it at once;
- waits until the run is done and nothing is due, then asserts: no
  (agreement, period) billed twice, no agreement left due, one invoice per
  agreement, the total of the invoices equal to the reference run's to the
  cent. One line per scenario:

    chaos SCENARIO: N agreements, I invoices, K kills (at A, B billed),
                    D periods billed twice, L left due, one invoice each: yes,
                    total T = reference R, S s

Usage: scripts/chaos.sh (N=1000 for a quick one; CHAOS_PORT, default 8191).
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench

ODOO_BIN = os.path.join(os.environ.get("ODOO_SRC", "/opt/odoo/18.0"), "odoo-bin")
SCENARIOS = [
    # name, servers, billing workers, cron threads per server
    ("1 server, 1 worker", 1, 1, 2),
    ("1 server, 2 workers", 1, 2, 3),
    ("2 servers, 2 workers", 2, 2, 2),
]


def log(msg):
    print(f"[chaos] {msg}", file=sys.stderr, flush=True)


def build(db, n, name="Chaos"):
    """N agreements of the comparable shape in a new company ``name``, due
    today (one period each). Returns the company's id."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = bench.make_company(env, name)
        cr.commit()
        log(f"building {n} agreements in {db}...")
        agreements = bench.make_data(env, company, n, "comparable")
        # Due today, one period each: the servers bill at today's date.
        today = odoo.fields.Date.context_today(agreements)
        agreements.with_context(**bench.QUIET).write(
            {"next_period_start": today.replace(day=1)}
        )
        cr.commit()
        return company.id


def copy_db(src, dst):
    odoo.sql_db.close_all()
    subprocess.run(["dropdb", "--if-exists", dst], check=True)
    subprocess.run(["createdb", "-T", src, dst], check=True)


def figures(db, company_id):
    """What the run left: invoices, their total, doubles, what is still due."""
    odoo.sql_db.close_all()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(*), COALESCE(sum(amount_total), 0),
                      count(DISTINCT msp_agreement_id)
                 FROM account_move
                WHERE company_id = %s AND move_type = 'out_invoice'
                  AND msp_billing_run_id IS NOT NULL""",
            [company_id],
        )
        invoices, total, agreements_invoiced = cr.fetchone()
        cr.execute(
            """SELECT count(*) FROM (
                   SELECT p.agreement_id, p.date_start FROM msp_agreement_period p
                     JOIN msp_agreement a ON a.id = p.agreement_id
                    WHERE a.company_id = %s
                    GROUP BY p.agreement_id, p.date_start HAVING count(*) > 1) d""",
            [company_id],
        )
        doubles = cr.fetchone()[0]
        cr.execute(
            """SELECT count(*) FROM (
                   SELECT msp_agreement_id FROM account_move
                    WHERE company_id = %s AND move_type = 'out_invoice'
                      AND msp_billing_run_id IS NOT NULL
                    GROUP BY msp_agreement_id HAVING count(*) > 1) d""",
            [company_id],
        )
        several = cr.fetchone()[0]
        env = api.Environment(cr, SUPERUSER_ID, {})
        today = odoo.fields.Date.context_today(env["msp.agreement"])
        left = env["msp.agreement"].search_count(
            [
                ("company_id", "=", company_id),
                ("state", "=", "active"),
                ("next_invoice_date", "<=", today),
            ]
        )
        cr.execute(
            """SELECT count(*) FROM msp_billing_run
                WHERE company_id = %s AND state = 'running'""",
            [company_id],
        )
        running = cr.fetchone()[0]
        cr.execute(
            """SELECT count(*) FROM msp_agreement_period p
                 JOIN msp_agreement a ON a.id = p.agreement_id
                WHERE a.company_id = %s""",
            [company_id],
        )
        periods = cr.fetchone()[0]
    odoo.sql_db.close_all()
    return {
        "invoices": invoices,
        "total": float(total),
        "agreements_invoiced": agreements_invoiced,
        "doubles": doubles,
        "several": several,
        "left": left,
        "running": running,
        "periods": periods,
    }


def reference(db, company_id):
    registry = odoo.modules.registry.Registry(db)
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        while env["msp.billing.run"]._cron_generate_invoices():
            pass
        cr.commit()
    odoo.sql_db.close_all()
    return figures(db, company_id), time.perf_counter() - started


def prepare(db, company_id, workers, due=True):
    """The company bills with ``workers``; only billing's scheduled actions
    may run, the main one due now (or, with ``due=False``, when triggered:
    ``trigger``)."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["res.company"].browse(company_id).msp_billing_workers = workers
        main = env.ref("msp_psa.ir_cron_generate_invoices")
        ours = [main.id] + [
            c.id for c in env["msp.billing.run"]._worker_crons().values()
        ]
        # Only billing runs: the other scheduled actions wait for another day.
        cr.execute(
            "UPDATE ir_cron SET nextcall = '2100-01-01' WHERE NOT (id = ANY(%s))",
            [ours],
        )
        if due:
            cr.execute(
                "UPDATE ir_cron SET nextcall = now() at time zone 'UTC'"
                " - interval '1 minute' WHERE id = %s",
                [main.id],
            )
        else:
            cr.execute(
                "UPDATE ir_cron SET nextcall = '2100-01-01' WHERE id = ANY(%s)",
                [ours],
            )
        cr.commit()
    odoo.sql_db.close_all()


def trigger(db):
    """Make the main billing cron due now and wake the servers' cron threads
    up at once (``ir.cron._trigger``: a trigger row, then NOTIFY on commit);
    without it they look for due jobs once a minute."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.ref("msp_psa.ir_cron_generate_invoices")._trigger()
        cr.commit()


def wait_ready(proc, port, timeout=300):
    """Wait until the server answers HTTP (its registry loaded)."""
    started = time.perf_counter()
    url = f"http://127.0.0.1:{port}/web/login"
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"server on port {port} exited: {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"server on port {port} not ready in {timeout} s")


def start_server(db, port, threads, logfile, workers=0, extra=()):
    """A real Odoo server on ``db``: threaded (``workers=0``: ``threads`` cron
    threads in one process) or prefork (``workers`` HTTP worker processes
    and ``threads`` cron worker processes)."""
    cmd = [
        sys.executable,
        ODOO_BIN,
        "-c",
        config.rcfile,
        "-d",
        db,
        f"--db-filter=^{db}$",
        f"--http-port={port}",
        f"--workers={workers}",
        f"--max-cron-threads={threads}",
        "--limit-time-real-cron=3600",
        "--log-level=info",
        f"--logfile={logfile}",
        *extra,
    ]
    return subprocess.Popen(cmd, start_new_session=True)


def billed(db, company_id):
    odoo.sql_db.close_all()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute(
            """SELECT count(DISTINCT p.agreement_id) FROM msp_agreement_period p
                 JOIN msp_agreement a ON a.id = p.agreement_id
                WHERE a.company_id = %s""",
            [company_id],
        )
        count = cr.fetchone()[0]
    odoo.sql_db.close_all()
    return count


def scenario(name, db, company_id, n, servers, workers, threads, port, ref, timeout):
    prepare(db, company_id, workers)
    logdir = os.environ.get("CHAOS_LOGDIR", "/tmp")
    logs = [os.path.join(logdir, f"chaos-{db}-{i}.log") for i in range(servers)]
    procs = [start_server(db, port + i, threads, logs[i]) for i in range(servers)]
    thresholds = sorted(random.uniform(0.05, 0.9) * n for _ in range(2))
    kills, started = [], time.perf_counter()
    try:
        while len(kills) < 2:
            done = billed(db, company_id)
            if done >= thresholds[len(kills)]:
                victim = random.randrange(servers)
                os.killpg(procs[victim].pid, signal.SIGKILL)
                procs[victim].wait()
                kills.append(done)
                log(f"{name}: server {victim + 1} killed at {done} billed")
                procs[victim] = start_server(db, port + victim, threads, logs[victim])
            elif time.perf_counter() - started > timeout:
                raise AssertionError(f"{name}: no progress to {thresholds}")
            time.sleep(0.2)
        while True:
            fig = figures(db, company_id)
            if not fig["left"] and not fig["running"]:
                break
            if time.perf_counter() - started > timeout:
                raise AssertionError(f"{name}: not finished in {timeout} s: {fig}")
            time.sleep(2)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
    elapsed = time.perf_counter() - started
    one_each = fig["several"] == 0 and fig["agreements_invoiced"] == n
    print(
        f"chaos {name}: {n} agreements, {fig['invoices']} invoices, "
        f"{len(kills)} kills (at {', '.join(str(k) for k in kills)} billed), "
        f"{fig['doubles']} periods billed twice, {fig['left']} left due, "
        f"one invoice each: {'yes' if one_each else 'NO'}, "
        f"total {fig['total']:.2f} = reference {ref['total']:.2f}, {elapsed:.0f} s",
        flush=True,
    )
    assert fig["doubles"] == 0, fig
    assert fig["left"] == 0, fig
    assert one_each, fig
    assert fig["invoices"] == ref["invoices"], (fig, ref)
    assert fig["periods"] == ref["periods"], (fig, ref)
    assert round(fig["total"], 2) == round(ref["total"], 2), (fig, ref)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", type=int, default=10000)
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--scenarios", default=",".join(str(i) for i in range(3)))
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    company_id = build(args.db, args.n)
    copy_db(args.db, f"{args.db}_ref")
    ref, seconds = reference(f"{args.db}_ref", company_id)
    print(
        f"chaos reference (undisturbed, in-process): {args.n} agreements, "
        f"{ref['invoices']} invoices, {ref['periods']} periods, "
        f"total {ref['total']:.2f}, {seconds:.0f} s",
        flush=True,
    )
    assert ref["invoices"] == args.n and not ref["doubles"] and not ref["left"], ref
    failed = 0
    for index in (int(i) for i in args.scenarios.split(",")):
        name, servers, workers, threads = SCENARIOS[index]
        db = f"{args.db}_{index}"
        copy_db(args.db, db)
        try:
            scenario(
                name,
                db,
                company_id,
                args.n,
                servers,
                workers,
                threads,
                args.port,
                ref,
                args.timeout,
            )
        except AssertionError as error:
            failed += 1
            print(f"chaos {name}: FAILED {error}", flush=True)
        finally:
            odoo.sql_db.close_all()
            subprocess.run(["dropdb", "--if-exists", db], check=False)
    subprocess.run(["dropdb", "--if-exists", f"{args.db}_ref"], check=False)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
