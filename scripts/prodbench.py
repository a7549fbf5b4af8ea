#!/usr/bin/env python3
"""Billing through the production path (make prodbench).

``make bench`` calls the billing run directly in Python processes; this
measures it the way a customer runs it: real ``odoo-bin`` servers whose cron
threads run the billing scheduled action and its worker crons.

Builds N agreements (bench.py's comparable shape, due today, in a company of
their own) in the database given, then per configuration, on a copy of it
(``createdb -T``):

- sets the company's *Billing workers*, puts every other scheduled action
  off (chaos.py's ``prepare``);
- starts real ``odoo-bin`` servers (``--workers=0``, enough cron threads,
  their own ``--http-port``, ``--db-filter``), waits until they answer HTTP
  and notes their resident memory (idle);
- triggers the billing cron (``ir.cron._trigger``: the cron threads wake up
  at once) and waits until the run is done;
- reads, from the run: the wall time from its start (the run row's
  ``create_date``, written by the cron job's first transaction) to its last
  batch (the workers' rows' ``date_last``, the clock when their last batch
  was done); the queries per agreement (the workers' rows' ``query_count``,
  counted in each batch's transaction); the peak resident memory of each
  server process (``VmHWM`` of ``/proc/<pid>/status``); and checks that each
  agreement was billed once.

Between the configurations, the bare ``account.move.create`` floor of the
same invoices (bench.py's ``floor``, rolled back, up to --floor-size
invoices) in this process. One line per configuration, then a summary:

    prodbench 1 worker: N agreements, I invoices, S s, X ms/agreement,
                        Q queries/agreement, peak RSS M MB (idle J MB)
    bench production: N agreements, 1 worker: S s, X ms/agreement,
        Q queries/agreement, peak RSS M MB; 2 workers: ..., speed-up 1.xx;
        floor F ms/invoice (ours/floor 1.xx)

Usage: scripts/prodbench.sh (N=1000 for a quick one; PRODBENCH_PORT, default
8195; ``--configs 0,1,2`` adds two servers sharing two workers).
"""

import argparse
import os
import signal
import subprocess
import sys
import time

import odoo
from odoo.tools import config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench
import chaos

COMPANY = "Prodbench"
CONFIGS = [
    # name, servers, billing workers, cron threads per server
    ("1 worker", 1, 1, 1),
    ("2 workers", 1, 2, 3),
    ("2 servers, 2 workers", 2, 2, 2),
]


def log(msg):
    print(f"[prodbench] {msg}", file=sys.stderr, flush=True)


def memory_mb(pid, key):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} for process {pid}")


def run_state(db, company_id):
    """The company's scheduled run: its state, or None before it exists."""
    cnx = odoo.sql_db.db_connect(db)
    with cnx.cursor() as cr:
        cr.execute(
            """SELECT state FROM msp_billing_run
                WHERE company_id = %s AND trigger = 'cron'
                ORDER BY id DESC LIMIT 1""",
            [company_id],
        )
        row = cr.fetchone()
    return row and row[0]


def run_figures(db, company_id):
    cnx = odoo.sql_db.db_connect(db)
    with cnx.cursor() as cr:
        cr.execute(
            """SELECT r.create_date, r.date_done, max(w.date_last),
                      sum(w.query_count), sum(w.agreement_count),
                      sum(w.batch_count), count(w.id)
                 FROM msp_billing_run r
                 LEFT JOIN msp_billing_run_worker w ON w.run_id = r.id
                WHERE r.company_id = %s AND r.trigger = 'cron'
                GROUP BY r.id ORDER BY r.id DESC LIMIT 1""",
            [company_id],
        )
        start, done, last, queries, agreements, batches, workers = cr.fetchone()
    end = max(last or done, done)
    return {
        "seconds": (end - start).total_seconds(),
        "queries": queries or 0,
        "counted": agreements or 0,
        "batches": batches or 0,
        "workers": workers,
    }


def measure(name, db, company_id, n, servers, workers, threads, port, timeout):
    chaos.prepare(db, company_id, workers, due=False)
    logdir = os.environ.get("PRODBENCH_LOGDIR", "/tmp")
    procs = []
    try:
        for i in range(servers):
            logfile = os.path.join(logdir, f"prodbench-{db}-{i}.log")
            procs.append(chaos.start_server(db, port + i, threads, logfile))
        for i, proc in enumerate(procs):
            chaos.wait_ready(proc, port + i)
        idle = [memory_mb(proc.pid, "VmRSS") for proc in procs]
        log(f"{name}: servers ready ({', '.join(f'{m:.0f}' for m in idle)} MB)")
        started = time.perf_counter()
        chaos.trigger(db)
        while run_state(db, company_id) != "done":
            for proc in procs:
                if proc.poll() is not None:
                    raise AssertionError(f"{name}: a server exited: {proc.returncode}")
            if time.perf_counter() - started > timeout:
                raise AssertionError(f"{name}: not done in {timeout} s")
            time.sleep(0.5)
        polled = time.perf_counter() - started
        peak = [memory_mb(proc.pid, "VmHWM") for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
    fig = chaos.figures(db, company_id)
    assert fig["doubles"] == 0 and fig["left"] == 0, fig
    assert fig["invoices"] == n and fig["agreements_invoiced"] == n, fig
    run = run_figures(db, company_id)
    assert run["counted"] == n, run  # every batch on a worker's row
    result = {
        "name": name,
        "seconds": run["seconds"],
        "ms": run["seconds"] * 1000 / n,
        "queries": run["queries"] / n,
        "peak": max(peak),
        "idle": max(idle),
    }
    print(
        f"prodbench {name}: {n} agreements, {fig['invoices']} invoices, "
        f"{run['batches']} batches on {run['workers']} worker(s), "
        f"{result['seconds']:.1f} s ({polled:.1f} s polled), "
        f"{result['ms']:.1f} ms/agreement, {result['queries']:.2f} queries/agreement, "
        f"peak RSS {result['peak']:.0f} MB (idle {result['idle']:.0f} MB) per server",
        flush=True,
    )
    return result


def summary(n, results, floor_ms):
    parts = []
    one = results[0] if results and results[0]["name"] == CONFIGS[0][0] else None
    for res in results:
        part = (
            f"{res['name']}: {res['seconds']:.1f} s, {res['ms']:.1f} ms/agreement, "
            f"{res['queries']:.2f} queries/agreement, peak RSS {res['peak']:.0f} MB"
        )
        if one and res is not one:
            part += f", speed-up {one['seconds'] / res['seconds']:.2f}"
        parts.append(part)
    line = f"bench production: {n} agreements, " + "; ".join(parts)
    if floor_ms:
        line += f"; floor {floor_ms:.1f} ms/invoice"
        if one:
            line += f" (ours/floor {one['ms'] / floor_ms:.2f})"
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", type=int, default=10000)
    parser.add_argument("--port", type=int, default=8195)
    parser.add_argument("--timeout", type=int, default=7200)
    parser.add_argument("--configs", default="0,1")
    parser.add_argument("--floor-size", type=int, default=1000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    company_id = chaos.build(args.db, args.n, COMPANY)
    odoo.sql_db.close_all()
    results, floor_ms = [], None
    for index in (int(i) for i in args.configs.split(",")):
        name, servers, workers, threads = CONFIGS[index]
        db = f"{args.db}_{index}"
        chaos.copy_db(args.db, db)
        try:
            results.append(
                measure(
                    name,
                    db,
                    company_id,
                    args.n,
                    servers,
                    workers,
                    threads,
                    args.port,
                    args.timeout,
                )
            )
        finally:
            odoo.sql_db.close_all()
            subprocess.run(["dropdb", "--if-exists", db], check=False)
        if floor_ms is None and args.floor_size:
            # Right after the first configuration, on the same machine's load.
            floor_ms = bench.floor(
                args.db,
                min(args.n, args.floor_size),
                companies=COMPANY,
                label="prodbench floor",
            )
            odoo.sql_db.close_all()
    summary(args.n, results, floor_ms)


if __name__ == "__main__":
    main()
