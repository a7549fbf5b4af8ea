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

- escalation: N agreements with a fixed +3 % price escalation (fee and 3
  recurring additions each): half have their anniversary due on DAY, half
  their notice (30 days before); times the nightly escalation action
  (``_cron_apply_escalations``, batches of 500, committed), then runs it
  again to check that nothing is applied twice. One line:

    bench escalation: N agreements, E escalations, S s, X ms/agreement,
                      Q queries/agreement, peak RSS M MB

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
from datetime import date

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


def bench_escalation(db, n):
    """The nightly price escalation over N agreements: half apply an
    anniversary, half are sent their notice."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = make_company(env, f"Bench escalation {int(time.time())}")
        cr.commit()
        print(
            f"[bench] escalation: building {n} agreements...",
            file=sys.stderr,
            flush=True,
        )
        env = env(context=dict(env.context, allowed_company_ids=[company.id], **QUIET))
        products = env["product.product"].create(
            [
                {
                    "name": f"{label} ({company.name})",
                    "type": "service",
                    "list_price": price,
                    "company_id": company.id,
                }
                for label, price in (
                    ("Fee", 450.0),
                    ("Per-user support", 25.0),
                    ("Per-device monitoring", 12.5),
                    ("Backup", 40.0),
                )
            ]
        )
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        partners = env["res.partner"].create(
            [{"name": f"Client {company.id}-{i}", "is_company": True} for i in range(n)]
        )
        for start in range(0, n, 1000):
            chunk = partners[start : start + 1000]
            env["msp.agreement"].create(
                [
                    {
                        "title": "Managed IT",
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "journal_id": journal.id,
                        # half due on DAY, half with their notice due
                        "date_start": date(2025, 11, 1)
                        if i % 2
                        else date(2025, 11, 20),
                        "term_months": 0,
                        "state": "active",
                        "fixed_fee": 450.0,
                        "fee_product_id": products[0].id,
                        "escalation_rule": "fixed",
                        "escalation_percent": 3.0,
                        "escalation_notice_days": 30,
                        "addition_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": qty,
                                    "price_unit": product.list_price,
                                    "date_start": date(2025, 11, 1)
                                    if i % 2
                                    else date(2025, 11, 20),
                                }
                            )
                            for product, qty in zip(
                                products[1:], (12, 30, 1), strict=True
                            )
                        ],
                    }
                    for i, partner in enumerate(chunk)
                ]
            )
            cr.commit()
        company_id = company.id
    print("[bench] escalation: applying...", file=sys.stderr, flush=True)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        started, queries = time.perf_counter(), cr.sql_log_count
        env["msp.agreement"]._cron_apply_escalations(date_ref=DAY)
        elapsed = time.perf_counter() - started
        queries = cr.sql_log_count - queries
        cr.commit()
        env["msp.agreement"]._cron_apply_escalations(date_ref=DAY)  # again: nothing
        cr.commit()
        cr.execute(
            "SELECT state, count(*) FROM msp_agreement_escalation"
            " WHERE company_id = %s GROUP BY state",
            [company_id],
        )
        states = dict(cr.fetchall())
    # Exactly once: one row per agreement, half applied, half notified.
    assert states == {"applied": n // 2, "planned": n - n // 2}, states
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(
        f"bench escalation: {n} agreements, {sum(states.values())} escalations "
        f"({states['applied']} applied, {states['planned']} notices), "
        f"{elapsed:.1f} s, {elapsed * 1000 / n:.1f} ms/agreement, "
        f"{queries / n:.2f} queries/agreement, peak RSS {rss / 1024:.0f} MB",
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
        elif shape == "escalation":
            bench_escalation(args.db, args.n)
        else:
            bench(args.db, shape, args.n, 1)
    if "comparable" in shapes:
        floor(args.db, min(args.n, 1000))
    if args.workers > 1:
        for shape in args.workers_shapes.split(","):
            bench(args.db, f"{shape}-{args.workers}w", args.n, args.workers)


if __name__ == "__main__":
    main()
