#!/usr/bin/env python3
"""Benchmark of the invoicing run (make bench).

Builds a throw-away database with N agreements per shape and times only the
invoicing run, ending each shape with one line:

    bench SHAPE: N agreements, I invoices, S s, X ms/agreement,
                 Q queries/agreement, peak RSS M MB

Shapes (each in a company of its own, with the generic chart of accounts):
- comparable: 3 recurring additions per agreement, each with a sales tax, no time;
- mixed: as comparable, plus one agreement in three with 5 billable timesheet lines;
- comparable-2w and mixed-2w (with --workers 2): the same shapes run by two
  worker processes at once, sharing one run (FOR UPDATE SKIP LOCKED).

and a ``bench floor`` line: plain ``account.move.create`` of equivalent invoices
on the same machine, the cost no Odoo billing engine can go under.

- dispatch: T technicians (--technicians, default 50) with skills and a 40 h
  calendar, K open tickets (--open-tickets, default 2,000) assigned among
  them; times the dispatch suggestion of an unassigned ticket (and counts its
  queries, which must not grow with T or K), then the utilisation report of
  the T technicians over 12 months (capacity rebuilt, then the pivot's
  read_group by technician and month). Rolled back; one line:

    bench dispatch: T technicians, K open tickets, X ms/suggestion,
                    Q queries/suggestion; utilisation T × 12 months:
                    capacity rebuilt in A s, report read in B s

- lifecycle: N agreements of every billing model (end dates spread over the
  next months, some ended yesterday with and without auto-renewal, some
  open-ended), their managed items, manual quantities and block time; times
  the night's lifecycle work: ``_cron_process_renewals``, the renewals queue
  and its reminders (``_cron_refresh_renewals``), ``_cron_scan_usage_signals``
  and, when it exists, ``_cron_apply_escalations``. One line:

    bench lifecycle: N agreements, R renewed, E expired, A reminders,
                     G signals, S s, X ms/agreement, Q queries/agreement,
                     peak RSS M MB

Usage: scripts/bench.sh [-n N] [--shapes comparable,mixed,dispatch] [--workers 2]
       [--technicians 50] [--open-tickets 2000]
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
import traceback
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
DAY = date(2026, 11, 1)


def make_company(env, name):
    company = env["res.company"].create(
        {"name": name, "currency_id": env.ref("base.USD").id}
    )
    env.user.company_ids = [Command.link(company.id)]
    env["account.chart.template"].try_loading(
        "generic_coa", company, install_demo=False
    )
    return company


def make_data(env, company, n, shape):
    """N active agreements of ``shape`` in ``company``, due on DAY."""
    env = env(context=dict(env.context, allowed_company_ids=[company.id], **QUIET))
    tax = company.account_sale_tax_id
    assert tax, "the chart of accounts gave no default sales tax"
    products = env["product.product"].create(
        [
            {
                "name": f"{label} ({company.name})",
                "type": "service",
                "list_price": price,
                "taxes_id": [Command.set(tax.ids)],
                "company_id": company.id,
            }
            for label, price in (
                ("Per-user support", 25.0),
                ("Per-device monitoring", 12.5),
                ("Backup", 40.0),
                ("Remote labour", 95.0),
            )
        ]
    )
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    partners = env["res.partner"].create(
        [{"name": f"Client {company.id}-{i}", "is_company": True} for i in range(n)]
    )
    agreements = env["msp.agreement"]
    for start in range(0, n, 1000):
        chunk = partners[start : start + 1000]
        agreements |= env["msp.agreement"].create(
            [
                {
                    "title": "Managed IT",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "date_start": date(2026, 1, 1),
                    "next_period_start": DAY,
                    "term_months": 0,
                    "billing_model": "time_materials"
                    if shape == "mixed"
                    else "per_user",
                    "state": "active",
                    "addition_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": qty,
                                "price_unit": product.list_price,
                                "date_start": date(2026, 1, 1),
                            }
                        )
                        for product, qty in zip(products[:3], (12, 30, 1), strict=True)
                    ],
                }
                for partner in chunk
            ]
        )
        env.cr.commit()
    if shape == "mixed":
        labour = products[3]
        project = env["project.project"].create(
            {"name": "Support", "company_id": company.id}
        )
        employee = env["hr.employee"].create({"name": "Tech", "company_id": company.id})
        with_time = agreements[::3]
        env["msp.agreement.rate"].create(
            [
                {"agreement_id": a.id, "product_id": labour.id, "price_unit": 95.0}
                for a in with_time
            ]
        )
        env["account.analytic.line"].create(
            [
                {
                    "name": f"Ticket work {i}",
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "date": date(2026, 10, 10 + i),
                    "unit_amount": 0.5 + i,
                    "msp_agreement_id": a.id,
                    "company_id": company.id,
                }
                for a in with_time
                for i in range(5)
            ]
        )
    env.cr.commit()
    return agreements


def floor(db, size=1000):
    """The floor under any Odoo billing engine: account.move.create of equivalent
    bare invoices (same partners, 3 taxed lines), quiet, in batches of 200; rolled
    back. The engine's figures read against it on the same machine."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        agreements = env["msp.agreement"].search(
            [("company_id.name", "=like", "Bench comparable %")], limit=size
        )
        env = env(context=dict(QUIET, allowed_company_ids=agreements.company_id.ids))
        vals_list = [
            {
                "move_type": "out_invoice",
                "partner_id": agreement.partner_id.id,
                "journal_id": agreement.journal_id.id,
                "invoice_date": DAY,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": addition.product_id.id,
                            "quantity": addition.quantity,
                            "price_unit": addition.price_unit,
                        }
                    )
                    for addition in agreement.addition_ids
                ],
            }
            for agreement in agreements
        ]
        env.invalidate_all()
        started, queries = time.perf_counter(), cr.sql_log_count
        for start in range(0, len(vals_list), 200):
            env["account.move"].create(vals_list[start : start + 200])
            env.flush_all()
        elapsed, queries = time.perf_counter() - started, cr.sql_log_count - queries
        cr.rollback()
    n = len(vals_list)
    print(
        f"bench floor: account.move.create of {n} equivalent invoices, "
        f"{elapsed * 1000 / n:.1f} ms/invoice, {queries / n:.2f} queries/invoice",
        flush=True,
    )


def run_worker(db, company_id, run_id, queue):
    """One cron worker: its own connection and cursor, taking batches of the run."""
    try:
        odoo.sql_db.close_all()  # never share the parent's connections
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(
                cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]}
            )
            run = env["msp.billing.run"].browse(run_id)
            started = time.perf_counter()
            queries = cr.sql_log_count
            run._run(batch_size=100)
            queue.put((time.perf_counter() - started, cr.sql_log_count - queries, None))
    except Exception:  # noqa: BLE001 - reported to the parent
        queue.put((0.0, 0, traceback.format_exc()))


def bench(db, shape, n, workers):
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = make_company(env, f"Bench {shape} {int(time.time())}")
        cr.commit()
        print(
            f"[bench] {shape}: building {n} agreements...", file=sys.stderr, flush=True
        )
        make_data(env, company, n, shape.split("-")[0])
        run = (
            env["msp.billing.run"]
            .with_company(company)
            .create({"date": DAY, "trigger": "manual"})
        )
        cr.commit()
        company_id, run_id = company.id, run.id
    print(f"[bench] {shape}: invoicing...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    if workers == 1:
        with registry.cursor() as cr:
            env = api.Environment(
                cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]}
            )
            queries = cr.sql_log_count
            env["msp.billing.run"].browse(run_id)._run(batch_size=200)
            queries = cr.sql_log_count - queries
            cr.commit()
    else:
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        procs = [
            ctx.Process(target=run_worker, args=(db, company_id, run_id, queue))
            for _ in range(workers)
        ]
        odoo.sql_db.close_all()
        for proc in procs:
            proc.start()
        results = [queue.get(timeout=3600) for _ in procs]
        for proc in procs:
            proc.join()
        errors = [e for _s, _q, e in results if e]
        assert not errors, errors
        queries = sum(q for _s, q, _e in results)
    elapsed = time.perf_counter() - started
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM account_move WHERE msp_billing_run_id = %s", [run_id]
        )
        invoices = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM msp_agreement_period WHERE run_id = %s", [run_id]
        )
        periods = cr.fetchone()[0]
    # Exactly once, whatever the number of workers: a period and an invoice each.
    assert periods == n, f"{periods} periods billed for {n} agreements"
    assert invoices == n, f"{invoices} invoices for {n} agreements"
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(
        f"bench {shape}: {n} agreements, {invoices} invoices, {elapsed:.1f} s, "
        f"{elapsed * 1000 / n:.1f} ms/agreement, {queries / n:.2f} queries/agreement, "
        f"peak RSS {rss / 1024:.0f} MB",
        flush=True,
    )


def bench_dispatch(db, technicians, open_tickets, rounds=10):
    """Suggestions for one ticket among many technicians and open tickets, and
    the utilisation report over a year; everything rolled back."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        company = env["res.company"].create({"name": f"Bench dispatch {time.time()}"})
        env.user.company_ids = [Command.link(company.id)]
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        print(
            f"[bench] dispatch: {technicians} technicians, {open_tickets} tickets...",
            file=sys.stderr,
            flush=True,
        )
        calendar = env["resource.calendar"].create(
            {"name": "Bench 40 h", "company_id": company.id, "tz": "UTC"}
        )
        kind = env["hr.skill.type"].create({"name": "Bench IT"})
        levels = env["hr.skill.level"].create(
            [
                {"name": f"L{p}", "level_progress": p, "skill_type_id": kind.id}
                for p in (25, 50, 75, 100)
            ]
        )
        skills = env["hr.skill"].create(
            [{"name": f"Skill {i}", "skill_type_id": kind.id} for i in range(4)]
        )
        users = env["res.users"].create(
            [
                {
                    "name": f"Tech {i}",
                    "login": f"bench_tech_{company.id}_{i}",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                }
                for i in range(technicians)
            ]
        )
        employees = env["hr.employee"].create(
            [
                {
                    "name": user.name,
                    "user_id": user.id,
                    "company_id": company.id,
                    "resource_calendar_id": calendar.id,
                    "tz": "UTC",
                    "msp_technician": True,
                    "employee_skill_ids": [
                        Command.create(
                            {
                                "skill_type_id": kind.id,
                                "skill_id": skills[(i + j) % 4].id,
                                "skill_level_id": levels[(i + j) % 4].id,
                            }
                        )
                        for j in range(2)
                    ],
                }
                for i, user in enumerate(users)
            ]
        )
        team = env["helpdesk.ticket.team"].create(
            {
                "name": "Bench desk",
                "company_id": company.id,
                "user_ids": [Command.set(users.ids)],
                "msp_requirement_ids": [
                    Command.create(
                        {
                            "skill_type_id": kind.id,
                            "skill_id": skills[0].id,
                            "min_level_id": levels[0].id,
                            "mandatory": False,
                        }
                    )
                ],
            }
        )
        policy = env["msp.sla.policy"].create(
            {
                "name": "Bench 24x7",
                "company_id": company.id,
                "line_ids": [
                    Command.create(
                        {"priority": p, "response_hours": 4, "resolution_hours": 24}
                    )
                    for p in "0123"
                ],
            }
        )
        company.msp_sla_policy_id = policy
        client = env["res.partner"].create({"name": "Bench client"})
        for start in range(0, open_tickets, 500):
            env["helpdesk.ticket"].with_context(msp_no_dispatch_log=True).create(
                [
                    {
                        "name": f"Ticket {i}",
                        "description": "<p>Bench</p>",
                        "partner_id": client.id,
                        "team_id": team.id,
                        "company_id": company.id,
                        "user_id": users[i % technicians].id,
                        "priority": str(i % 4),
                    }
                    for i in range(start, min(start + 500, open_tickets))
                ]
            )
        probe = env["helpdesk.ticket"].create(
            {
                "name": "Probe",
                "description": "<p>Bench</p>",
                "partner_id": client.id,
                "team_id": team.id,
                "company_id": company.id,
                "user_id": False,
                "priority": "2",
            }
        )
        env.flush_all()
        elapsed = queries = 0.0
        for _round in range(rounds):
            env.invalidate_all()
            started, count = time.perf_counter(), cr.sql_log_count
            ranked = probe._msp_suggest()
            elapsed += time.perf_counter() - started
            queries += cr.sql_log_count - count
        assert ranked, "no suggestion"
        # Utilisation over 12 months: capacity rows, one line of time a day.
        today = date.today()
        year_ago = date(today.year - 1, today.month, 1)
        started = time.perf_counter()
        rows = env["msp.technician.capacity"]._refresh(employees, year_ago, today)
        env.flush_all()
        capacity_s = time.perf_counter() - started
        project = env["project.project"].create(
            {"name": "Bench internal", "company_id": company.id}
        )
        env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": project.id,
                    "employee_id": row.employee_id.id,
                    "date": row.date,
                    "unit_amount": 6.0,
                }
                for row in rows
                if row.capacity_hours
            ]
        )
        env.flush_all()
        env.invalidate_all()
        started = time.perf_counter()
        groups = env["msp.utilisation.report"].read_group(
            [("company_id", "=", company.id)],
            ["capacity_hours", "logged_hours", "utilisation_percent"],
            ["employee_id", "date:month"],
            lazy=False,
        )
        report_s = time.perf_counter() - started
        cr.rollback()
    print(
        f"bench dispatch: {technicians} technicians, {open_tickets} open tickets, "
        f"{elapsed * 1000 / rounds:.1f} ms/suggestion, "
        f"{queries / rounds:.0f} queries/suggestion; utilisation {technicians} "
        f"technicians × 12 months ({len(groups)} cells): capacity rebuilt in "
        f"{capacity_s:.1f} s, report read in {report_s:.2f} s",
        flush=True,
    )


def make_lifecycle_data(env, company, n):
    """N active agreements in ``company``, one billing model in five, for the
    night's lifecycle crons (see the module docstring)."""
    env = env(context=dict(env.context, allowed_company_ids=[company.id], **QUIET))
    today = date.today()
    products = env["product.product"].create(
        [
            {
                "name": f"{label} ({company.name})",
                "type": "service",
                "list_price": price,
                "company_id": company.id,
            }
            for label, price in (("Seat", 25.0), ("Device", 12.5), ("Block", 600.0))
        ]
    )
    seat, device, block = products
    kind_user = env.ref("msp_psa.kind_user")
    kind_ws = env.ref("msp_psa.kind_workstation")
    models_ = ["fixed", "per_user", "per_device", "block_hours", "time_materials"]
    partners = env["res.partner"].create(
        [{"name": f"Client {company.id}-{i}", "is_company": True} for i in range(n)]
    )
    agreements = env["msp.agreement"]
    for start in range(0, n, 500):
        vals_list = []
        for i in range(start, min(start + 500, n)):
            model = models_[i % 5]
            if i % 10 == 9:  # open-ended, its anniversary within the year
                date_start, term = today - timedelta(days=365 + i % 300), 0
            elif i % 20 == 3:  # ended yesterday: renewed or expired tonight
                date_start, term = today - relativedelta(months=12), 12
            else:  # decision dates spread over the next 150 days
                date_start = today - relativedelta(months=12) + timedelta(days=i % 180)
                term = 12
            vals = {
                "title": "Managed IT",
                "partner_id": partners[i].id,
                "company_id": company.id,
                "date_start": date_start,
                "term_months": term,
                "auto_renew": i % 40 != 3,
                "billing_model": model,
                "fixed_fee": 300.0,
                "state": "active",
                "user_id": env.user.id,
            }
            if model == "per_user":
                vals["addition_ids"] = [
                    Command.create(
                        {
                            "product_id": seat.id,
                            "quantity_source": "counted",
                            "kind_id": kind_user.id,
                            "price_unit": 25.0,
                            "date_start": date_start,
                        }
                    )
                ]
            elif model == "per_device":
                vals["addition_ids"] = [
                    Command.create(
                        {
                            "product_id": device.id,
                            "quantity": 3,
                            "price_unit": 12.5,
                            "date_start": date_start,
                            "kind_id": kind_ws.id,
                            "quantity_source": "manual",
                        }
                    )
                ]
            elif model == "block_hours":
                vals.update(
                    block_hours=10.0, block_price=600.0, block_product_id=block.id
                )
            vals_list.append(vals)
        agreements |= env["msp.agreement"].create(vals_list)
        env.cr.commit()
    items = []
    for agreement in agreements:
        if agreement.billing_model == "per_user":
            # 4 users for a year, 2 more for a month: +50 % (a growth signal)
            items += [
                (agreement.partner_id.id, kind_user.id, today - timedelta(days=d))
                for d in (400, 400, 400, 400, 30, 30)
            ]
        elif agreement.billing_model == "per_device":
            # 5 workstations, 3 billed (under-billing)
            items += [
                (agreement.partner_id.id, kind_ws.id, today - timedelta(days=400))
            ] * 5
    for start in range(0, len(items), 2000):
        env["msp.managed.item"].create(
            [
                {
                    "name": f"item {start + k}",
                    "partner_id": partner_id,
                    "kind_id": kind_id,
                    "active_from": active_from,
                    "company_id": company.id,
                }
                for k, (partner_id, kind_id, active_from) in enumerate(
                    items[start : start + 2000]
                )
            ]
        )
        env.cr.commit()
    project = env["project.project"].create(
        {"name": "Support", "company_id": company.id}
    )
    employee = env["hr.employee"].create({"name": "Tech", "company_id": company.id})
    blocks = agreements.filtered(lambda a: a.billing_model == "block_hours")
    env["account.analytic.line"].create(
        [
            {
                "name": "Work",
                "project_id": project.id,
                "employee_id": employee.id,
                "date": today - timedelta(days=d),
                "unit_amount": 3.0,
                "msp_agreement_id": a.id,
                "company_id": company.id,
            }
            for a in blocks
            for d in (1, 5, 9, 40, 70)
        ]
    )
    env.cr.commit()
    return agreements


def bench_lifecycle(db, n):
    """The night's lifecycle crons over N agreements."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].create(
            {"name": f"Bench lifecycle {int(time.time())}"}
        )
        env.user.company_ids = [Command.link(company.id)]
        cr.commit()
        print(f"[bench] lifecycle: building {n} agreements...", file=sys.stderr)
        make_lifecycle_data(env, company, n)
        company_id = company.id
    print("[bench] lifecycle: the night's crons...", file=sys.stderr, flush=True)
    with registry.cursor() as cr:
        env = api.Environment(
            cr, SUPERUSER_ID, {"allowed_company_ids": [company_id], **QUIET}
        )
        Agreement = env["msp.agreement"]
        cr.execute("SELECT count(*) FROM mail_activity")
        activities = cr.fetchone()[0]
        steps = [
            Agreement._cron_process_renewals,
            Agreement._cron_refresh_renewals,
            env["msp.usage.signal"]._cron_scan_usage_signals,
        ]
        if hasattr(Agreement, "_cron_apply_escalations"):
            steps.append(Agreement._cron_apply_escalations)
        queries = cr.sql_log_count
        started = time.perf_counter()
        for step in steps:
            step_queries, step_started = cr.sql_log_count, time.perf_counter()
            step()
            env.flush_all()
            print(
                f"[bench] lifecycle: {step.__name__} "
                f"{time.perf_counter() - step_started:.2f} s, "
                f"{cr.sql_log_count - step_queries} queries",
                file=sys.stderr,
                flush=True,
            )
        elapsed = time.perf_counter() - started
        queries = cr.sql_log_count - queries
        cr.commit()
        cr.execute(
            "SELECT count(*) FROM msp_agreement WHERE company_id = %s"
            " AND state = 'expired'",
            [company_id],
        )
        expired = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM mail_message m JOIN msp_agreement a"
            " ON m.model = 'msp.agreement' AND m.res_id = a.id"
            " WHERE a.company_id = %s AND m.body::text LIKE %s",
            [company_id, "%Renewed for%"],
        )
        renewed = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM mail_activity")
        reminders = cr.fetchone()[0] - activities
        cr.execute(
            "SELECT count(*) FROM msp_usage_signal WHERE company_id = %s", [company_id]
        )
        signals = cr.fetchone()[0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"bench lifecycle: {n} agreements, {renewed} renewed, {expired} expired, "
        f"{reminders} reminders, {signals} signals, {elapsed:.1f} s, "
        f"{elapsed * 1000 / n:.1f} ms/agreement, {queries / n:.2f} queries/agreement, "
        f"peak RSS {rss / 1024:.0f} MB",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=int(os.environ.get("N", "10000")))
    parser.add_argument("--db", default="msp_bench")
    parser.add_argument("--shapes", default="comparable,mixed,dispatch")
    parser.add_argument("--technicians", type=int, default=50)
    parser.add_argument("--open-tickets", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--workers-shapes",
        default="comparable,mixed",
        help="shapes run again with --workers processes sharing one run",
    )
    parser.add_argument("-c", "--config", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    shapes = [shape for shape in args.shapes.split(",") if shape]
    for shape in shapes:
        if shape == "dispatch":
            bench_dispatch(args.db, args.technicians, args.open_tickets)
        elif shape == "lifecycle":
            bench_lifecycle(args.db, args.n)
        else:
            bench(args.db, shape, args.n, 1)
    if "comparable" in shapes:
        floor(args.db, min(args.n, 1000))
    if args.workers > 1:
        for shape in args.workers_shapes.split(","):
            bench(args.db, f"{shape}-{args.workers}w", args.n, args.workers)


if __name__ == "__main__":
    main()
