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
- starts real ``odoo-bin`` servers (threaded: ``--workers=0`` and enough
  cron threads in one process; or prefork: ``--workers=2`` and enough cron
  worker processes; their own ``--http-port``, ``--db-filter``), waits until
  they answer HTTP and notes their resident memory (idle);
- triggers the billing cron (``ir.cron._trigger``: the cron threads wake up
  at once) and waits until the run is done;
- reads, from the run: the wall time from its start (the run row's
  ``create_date``, written by the cron job's first transaction) to its last
  batch (the workers' rows' ``date_last``, the clock when their last batch
  was done); the queries per agreement (the workers' rows' ``query_count``,
  counted in each batch's transaction); the peak resident memory of the
  largest server process (``VmHWM`` of ``/proc/<pid>/status``, sampled
  while it runs, prefork workers included); and checks that each agreement
  was billed once.

Between the configurations, the bare ``account.move.create`` floor of the
same invoices (bench.py's ``floor``, rolled back, up to --floor-size
invoices) in this process. One line per configuration, then a summary:

    prodbench 1 worker: N agreements, I invoices, S s, X ms/agreement,
                        Q queries/agreement, peak RSS M MB (idle J MB)
    bench production: N agreements, 1 worker: S s, X ms/agreement,
        Q queries/agreement, peak RSS M MB; 2 workers: ..., speed-up 1.xx;
        floor F ms/invoice (ours/floor 1.xx)

Configurations (``--configs``, default ``0,1,3``): 0 one worker (threaded
server, 1 cron thread); 1 two workers on one threaded server (3 cron
threads: the main cron and two workers, which share one Python process and
its GIL); 2 two threaded servers sharing two workers; 3 two workers on one
prefork server (3 cron worker processes), what production runs.

Usage: scripts/prodbench.sh (N=1000 for a quick one; PRODBENCH_PORT, default
8195: servers on PORT and PORT+1, prefork's gevent port PORT+5).
"""

import argparse
import os
import signal
import subprocess
import sys
import time

import psutil

import odoo
from odoo.tools import config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench
import chaos

COMPANY = "Prodbench"
CONFIGS = [
    # name, servers, billing workers, cron threads (or processes) per server,
    # HTTP worker processes per server (0: threaded server)
    ("1 worker", 1, 1, 1, 0),
    ("2 workers", 1, 2, 3, 0),
    ("2 servers, 2 workers", 2, 2, 2, 0),
    ("2 workers, prefork", 1, 2, 3, 2),
]
# Prefork (--workers > 0): Odoo's default CPU limit per unit of work (60 s)
# would stop a cron worker process in the middle of a long run (one cron
# pass bills up to 10 time budgets of 120 s); real time is limited by
# --limit-time-real-cron as for threads.
PREFORK = ("--limit-time-cpu=7200", "--limit-time-real=7200")


def log(msg):
    print(f"[prodbench] {msg}", file=sys.stderr, flush=True)


def memory_mb(pid, key):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in MB (0 if gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def server_pids(proc):
    """The server's process and, prefork, its worker processes."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return [proc.pid]
    return [proc.pid] + [child.pid for child in children]


def sample_peaks(procs, peaks):
    """Each process's peak so far (a prefork worker may be recycled)."""
    for proc in procs:
        for pid in server_pids(proc):
            peaks[pid] = max(peaks.get(pid, 0.0), memory_mb(pid, "VmHWM"))


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


def measure(name, db, company_id, n, config_, port, timeout):
    servers, workers, threads, http_workers = config_
    chaos.prepare(db, company_id, workers, due=False)
    logdir = os.environ.get("PRODBENCH_LOGDIR", "/tmp")
    procs, peaks = [], {}
    try:
        for i in range(servers):
            logfile = os.path.join(logdir, f"prodbench-{db}-{i}.log")
            extra = (f"--gevent-port={port + 5 + i}", *PREFORK) if http_workers else ()
            procs.append(
                chaos.start_server(
                    db, port + i, threads, logfile, workers=http_workers, extra=extra
                )
            )
        for i, proc in enumerate(procs):
            chaos.wait_ready(proc, port + i)
        idle = max(
            memory_mb(pid, "VmRSS") for proc in procs for pid in server_pids(proc)
        )
        log(f"{name}: servers ready (largest process {idle:.0f} MB)")
        started = time.perf_counter()
        chaos.trigger(db)
        while run_state(db, company_id) != "done":
            for proc in procs:
                if proc.poll() is not None:
                    raise AssertionError(f"{name}: a server exited: {proc.returncode}")
            if time.perf_counter() - started > timeout:
                raise AssertionError(f"{name}: not done in {timeout} s")
            sample_peaks(procs, peaks)
            time.sleep(0.5)
        polled = time.perf_counter() - started
        sample_peaks(procs, peaks)
        log(
            f"{name}: peak RSS by process: "
            + ", ".join(f"{pid} {mb:.0f} MB" for pid, mb in sorted(peaks.items()))
        )
        peak = list(peaks.values())
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
        "idle": idle,
    }
    print(
        f"prodbench {name}: {n} agreements, {fig['invoices']} invoices, "
        f"{run['batches']} batches on {run['workers']} worker(s), "
        f"{result['seconds']:.1f} s ({polled:.1f} s polled), "
        f"{result['ms']:.1f} ms/agreement, {result['queries']:.2f} queries/agreement, "
        f"peak RSS {result['peak']:.0f} MB (idle {result['idle']:.0f} MB), "
        f"largest of {len(peak)} process(es)",
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
    parser.add_argument("--configs", default="0,1,3")
    parser.add_argument("--floor-size", type=int, default=1000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    company_id = chaos.build(args.db, args.n, COMPANY)
    odoo.sql_db.close_all()
    results, floor_ms = [], None
    for index in (int(i) for i in args.configs.split(",")):
        name, *config_ = CONFIGS[index]
        db = f"{args.db}_{index}"
        chaos.copy_db(args.db, db)
        try:
            results.append(
                measure(name, db, company_id, args.n, config_, args.port, args.timeout)
            )
        finally:
            odoo.modules.registry.Registry.delete(db)
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
