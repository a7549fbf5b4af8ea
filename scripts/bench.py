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

- change: N agreements of the comparable shape with a change order each
  (3 more seats from DAY): times their creation, each one's price impact
  prepared by the billing engine in a rolled-back savepoint, then the nightly
  apply of them all, accepted (run twice: each applied once). One line:

    bench change: N change orders, X ms/change created (impact),
                  Q queries/change; applied in Y ms/change, R queries/change

- sla: N open tickets (-n) over 3 calendars (office hours with public
  holidays, a 38-hour week in Brussels, 8-20 Monday to Saturday) and 24×7,
  one policy whose priorities run on them, clocks started over the last 20
  days; a policy change marks them all due and the SLA cron's first pass
  over them is timed (ms and queries per ticket), then one ``create`` of
  1,000 tickets. Committed in a company of its own; one line:

    bench sla: N open tickets on 3 calendars + 24x7, cron first run S s,
               X ms/ticket, Q queries/ticket; create of 1000 tickets:
               Y ms/ticket, R queries/ticket

- mrrmovement: N agreements with 24 months of history (staggered starts, the
  seats of one addition changing every month, one in 50 churning and one in
  100 coming back; SQL inserts): the MRR movement table built from scratch,
  the nightly refresh, one agreement refreshed after a change, the movement
  pivot (month × billing model) and the home dashboard's data; one line:

    bench mrrmovement: N agreements × 24 months (R rows): history built in A s,
                       nightly refresh B s, one agreement refreshed in C ms;
                       movement pivot (P cells) read in D s; dashboard data in E ms

- profitability: N agreements × 24 months of invoiced revenue, time, an
  addition with its quantity and cost logs and some vendor bills (cloned in
  SQL from one of each); times the full rebuild of the monthly table, the
  pivot opening (by month), its read_group by agreement × month on the table
  (and that read_group's query alone), the same aggregate over the report's
  query (what an SQL view would run), then an incremental refresh after the
  time of 1 % of the agreements changed. Rolled back:

    bench profitability: N agreements × 24 months (R rows), table rebuilt in
                         A s; pivot opened (by month) in B s; agreement ×
                         month from the table in C s (read_group; its query
                         D s), from an SQL view in E s; incremental refresh
                         (K agreements) in F s

- escalation: N agreements with a fixed +3 % price escalation (fee and 3
  recurring additions each): half have their anniversary due on DAY, half
  their notice (30 days before); times the nightly escalation action
  (``_cron_apply_escalations``, batches of 500, committed), then runs it
  again to check that nothing is applied twice. One line:

    bench escalation: N agreements, E escalations, S s, X ms/agreement,
                      Q queries/agreement, peak RSS M MB

- lifecycle: N agreements of every billing model (end dates spread over the
  next months, some ended yesterday with and without auto-renewal, some
  open-ended), their managed items, manual quantities and block time; times
  the night's lifecycle work: ``_cron_process_renewals``, the renewals queue
  and its reminders (``_cron_refresh_renewals``), ``_cron_scan_usage_signals``
  and ``_cron_apply_escalations``. One line:

    bench lifecycle: N agreements, R renewed, E expired, A reminders,
                     G signals, S s, X ms/agreement, Q queries/agreement,
                     peak RSS M MB

- timesheets: block-hour time; an edit on an agreement started five years ago
  vs one started this year, and 5,000 lines created in batches of 100
  (bench_timesheets). Rolled back.
- recognition: N annual invoices posted with and without deferral, then the
  month's recognition in bounded entries (bench_recognition).

Usage: scripts/bench.sh [-n N] [--shapes comparable,mixed,dispatch,change,sla,
       mrrmovement,profitability,escalation,lifecycle,timesheets,recognition]
       [--workers 2] [--technicians 50] [--open-tickets 2000]
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
import traceback
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL, config

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


def floor(db, size=1000, companies="Bench comparable %", label="bench floor"):
    """The floor under any Odoo billing engine: account.move.create of equivalent
    bare invoices (same partners, 3 taxed lines), quiet, in batches of 200; rolled
    back. The engine's figures read against it on the same machine. The
    agreements of the companies named like ``companies``; returns ms/invoice."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        agreements = env["msp.agreement"].search(
            [("company_id.name", "=like", companies)], limit=size
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
        f"{label}: account.move.create of {n} equivalent invoices, "
        f"{elapsed * 1000 / n:.1f} ms/invoice, {queries / n:.2f} queries/invoice",
        flush=True,
    )
    return elapsed * 1000 / n


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


def bench_change(db, n):
    """N agreements (the comparable shape), one change order each (3 more of
    the first addition from DAY): times creating them (each one's price
    impact simulated by the billing engine in a savepoint rolled back), then
    the nightly apply of them all, accepted; checks each applied once. One
    line:

        bench change: N change orders, X ms/change created (impact),
                      Q queries/change; applied in Y ms/change, R queries/change
    """
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = make_company(env, f"Bench change {int(time.time())}")
        cr.commit()
        print(f"[bench] change: building {n} agreements...", file=sys.stderr)
        agreements = make_data(env, company, n, "comparable")
        env = env(context=dict(env.context, allowed_company_ids=[company.id], **QUIET))
        Change = env["msp.agreement.change"]
        firsts = {a.id: a.addition_ids[:1] for a in agreements.with_env(env)}
        print(f"[bench] change: creating {n} change orders...", file=sys.stderr)
        queries = cr.sql_log_count
        started = time.perf_counter()
        changes = Change
        for start in range(0, n, 200):
            changes |= Change.create(
                [
                    {
                        "agreement_id": agreement_id,
                        "date_effective": DAY,
                        "line_ids": [
                            Command.create(
                                {
                                    "action": "quantity",
                                    "addition_id": addition.id,
                                    "quantity": addition.quantity + 3,
                                }
                            )
                        ],
                    }
                    for agreement_id, addition in list(firsts.items())[
                        start : start + 200
                    ]
                ]
            )
        create_s = time.perf_counter() - started
        create_q = cr.sql_log_count - queries
        assert all(c.impact_amount > 0 for c in changes), "an impact is missing"
        changes.write({"state": "accepted"})
        cr.commit()
        queries = cr.sql_log_count
        started = time.perf_counter()
        Change._cron_apply_due()
        Change._cron_apply_due()  # again: applies nothing
        apply_s = time.perf_counter() - started
        apply_q = cr.sql_log_count - queries
        cr.commit()
        cr.execute(
            "SELECT count(*) FROM msp_agreement_change WHERE id = ANY(%s) "
            "AND state = 'applied'",
            [changes.ids],
        )
        applied = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM msp_agreement_addition_quantity "
            "WHERE addition_id = ANY(%s) AND date = %s",
            [[a.id for a in firsts.values()], DAY],
        )
        logged = cr.fetchone()[0]
    assert applied == n, f"{applied} change orders applied of {n}"
    assert logged == n, f"{logged} quantity changes logged for {n} change orders"
    print(
        f"bench change: {n} change orders, {create_s * 1000 / n:.1f} ms/change "
        f"created (impact), {create_q / n:.1f} queries/change; applied in "
        f"{apply_s * 1000 / n:.1f} ms/change, {apply_q / n:.1f} queries/change",
        flush=True,
    )


def _bench_calendar(env, company, name, hours, days, tz="UTC"):
    return env["resource.calendar"].create(
        {
            "name": name,
            "company_id": company.id,
            "tz": tz,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{name} {day} {hour_from}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning" if hour_from < 12 else "afternoon",
                    }
                )
                for day in days
                for hour_from, hour_to in hours
            ],
        }
    )


def bench_sla(db, n, create_size=1000):
    """The SLA clock over N open tickets: the cron's first run after a policy
    change, then one create of ``create_size`` tickets; committed."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        company = env["res.company"].create({"name": f"Bench sla {time.time()}"})
        env.user.company_ids = [Command.link(company.id)]
        env = env(
            context=dict(
                env.context, allowed_company_ids=[company.id], msp_no_dispatch_log=True
            )
        )
        print(f"[bench] sla: building {n} open tickets...", file=sys.stderr, flush=True)
        office = _bench_calendar(env, company, "Office", [(9, 17)], range(5))
        brussels = _bench_calendar(
            env,
            company,
            "Brussels 38 h",
            [(8, 12), (13, 16.6)],
            range(5),
            tz="Europe/Brussels",
        )
        extended = _bench_calendar(env, company, "Extended", [(8, 20)], range(6))
        now = datetime.now().replace(microsecond=0)
        env["resource.calendar.leaves"].create(
            [
                {
                    "name": f"Holiday {days}",
                    "calendar_id": calendar.id,
                    "company_id": company.id,
                    "date_from": datetime.combine(
                        (now + timedelta(days=days)).date(), datetime.min.time()
                    ),
                    "date_to": datetime.combine(
                        (now + timedelta(days=days)).date(), datetime.max.time()
                    ).replace(microsecond=0),
                }
                for calendar in (office, brussels, extended)
                for days in (-9, 3)
            ]
        )
        policy = env["msp.sla.policy"].create(
            {
                "name": "Bench SLA",
                "company_id": company.id,
                "calendar_id": office.id,
                "line_ids": [
                    Command.create(
                        {"priority": "0", "response_hours": 8, "resolution_hours": 40}
                    ),
                    Command.create(
                        {
                            "priority": "1",
                            "response_hours": 4,
                            "resolution_hours": 16,
                            "calendar_id": brussels.id,
                        }
                    ),
                    Command.create(
                        {
                            "priority": "2",
                            "response_hours": 2,
                            "resolution_hours": 8,
                            "calendar_id": extended.id,
                        }
                    ),
                    Command.create(
                        {
                            "priority": "3",
                            "response_hours": 1,
                            "resolution_hours": 4,
                            "around_the_clock": True,
                        }
                    ),
                ],
            }
        )
        company.msp_sla_policy_id = policy
        client = env["res.partner"].create({"name": "Bench SLA client"})
        stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")

        def vals(i, start):
            return {
                "name": f"Ticket {i}",
                "description": "<p>Bench</p>",
                "partner_id": client.id,
                "company_id": company.id,
                "stage_id": stage.id,
                "priority": str(i % 4),
                "msp_sla_start": start,
            }

        for first in range(0, n, 1000):
            env["helpdesk.ticket"].create(
                [
                    vals(i, now - timedelta(minutes=(i * 7919) % (20 * 24 * 60)))
                    for i in range(first, min(first + 1000, n))
                ]
            )
            cr.commit()
        # A policy change: every open ticket due for the cron.
        policy.at_risk_percent = 70
        cr.commit()
        env.invalidate_all()
        Ticket = env["helpdesk.ticket"]
        due = [
            ("msp_sla_next_check", "<=", fields_now()),
            ("company_id", "=", company.id),
        ]
        assert Ticket.search_count(due) == n, "not every ticket is due"
        print("[bench] sla: the cron's first run...", file=sys.stderr, flush=True)
        started, queries = time.perf_counter(), cr.sql_log_count
        while Ticket.search_count(due, limit=1):
            Ticket._cron_msp_sla_check()
            env.flush_all()
            cr.commit()
        cron_s, cron_q = time.perf_counter() - started, cr.sql_log_count - queries
        print(
            f"[bench] sla: one create of {create_size}...", file=sys.stderr, flush=True
        )
        env.invalidate_all()
        started, queries = time.perf_counter(), cr.sql_log_count
        Ticket.create([vals(n + i, now) for i in range(create_size)])
        env.flush_all()
        create_s, create_q = time.perf_counter() - started, cr.sql_log_count - queries
        cr.commit()
    print(
        f"bench sla: {n} open tickets on 3 calendars + 24x7, cron first run "
        f"{cron_s:.1f} s, {cron_s * 1000 / n:.2f} ms/ticket, {cron_q / n:.3f} "
        f"queries/ticket; create of {create_size} tickets: "
        f"{create_s * 1000 / create_size:.2f} ms/ticket, "
        f"{create_q / create_size:.2f} queries/ticket",
        flush=True,
    )


def fields_now():
    return datetime.now().replace(microsecond=0)


def bench_mrrmovement(db, n):
    """N agreements with 24 months of history (quantity changes every month,
    churn, reactivations, staggered starts; SQL inserts): the MRR movement
    table built from scratch, the nightly refresh, one agreement refreshed
    after a change, the movement pivot read and the dashboard's data."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        company = make_company(env, f"Bench MRR {time.time()}")
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        print(f"[bench] mrrmovement: {n} agreements...", file=sys.stderr, flush=True)
        agreements = make_data(env, company, n, "comparable")
        ids = agreements.ids
        first = date(2025, 1, 1)
        cr.execute(
            """
            UPDATE msp_agreement
               SET date_start = CASE WHEN id %% 4 = 0
                   THEN %(first)s + (id %% 24) * interval '1 month'
                   ELSE %(first)s END
             WHERE id = ANY(%(ids)s);
            UPDATE msp_agreement_addition ad SET date_start = a.date_start
              FROM msp_agreement a WHERE a.id = ad.agreement_id AND a.id = ANY(%(ids)s);
            UPDATE msp_agreement_addition_quantity q SET date = a.date_start
              FROM msp_agreement a WHERE a.id = q.agreement_id AND a.id = ANY(%(ids)s);
            UPDATE msp_agreement_state_log l SET date = a.date_start
              FROM msp_agreement a WHERE a.id = l.agreement_id AND a.id = ANY(%(ids)s);
            -- the first addition's seats change every month, back to 12 now
            INSERT INTO msp_agreement_addition_quantity (addition_id, agreement_id,
                   company_id, partner_id, date, quantity_old, quantity_new,
                   quantity_delta, source, user_id)
            SELECT ad.id, a.id, a.company_id, a.partner_id,
                   %(first)s + k * interval '1 month' + interval '9 days',
                   12, CASE WHEN k = 22 THEN 12 ELSE 10 + (a.id * 7 + k) %% 6 END,
                   0, 'manual', 1
              FROM msp_agreement a
              JOIN LATERAL (SELECT min(id) AS id FROM msp_agreement_addition
                             WHERE agreement_id = a.id) ad ON TRUE
             CROSS JOIN generate_series(1, 22) k
             WHERE a.id = ANY(%(ids)s)
               AND %(first)s + k * interval '1 month' > a.date_start;
            -- one in 50 churns; one in 100 comes back two months later
            INSERT INTO msp_agreement_state_log (agreement_id, company_id, date, state)
            SELECT id, company_id, %(first)s + (id %% 20 + 2) * interval '1 month'
                   + interval '14 days', 'cancelled'
              FROM msp_agreement WHERE id = ANY(%(ids)s) AND id %% 50 = 0;
            INSERT INTO msp_agreement_state_log (agreement_id, company_id, date, state)
            SELECT id, company_id, %(first)s + (id %% 20 + 4) * interval '1 month'
                   + interval '3 days', 'active'
              FROM msp_agreement WHERE id = ANY(%(ids)s) AND id %% 100 = 0;
            UPDATE msp_agreement SET state = 'cancelled'
             WHERE id = ANY(%(ids)s) AND id %% 50 = 0 AND id %% 100 <> 0;
            """,
            {"first": first, "ids": ids},
        )
        cr.commit()
        env.invalidate_all()
        Month = env["msp.mrr.month"]
        Agreement = env["msp.agreement"]
        started = time.perf_counter()
        Month._refresh(Agreement.browse(ids))
        cr.commit()
        built_s = time.perf_counter() - started
        rows = Month.search_count([("company_id", "=", company.id)])
        env.invalidate_all()
        started = time.perf_counter()
        Month._cron_refresh_current_month()
        cr.commit()
        nightly_s = time.perf_counter() - started
        addition = Agreement.browse(ids[1]).addition_ids[:1]
        env.invalidate_all()
        started = time.perf_counter()
        addition.with_context(msp_quantity_date=date.today()).quantity = 15
        cr.flush()  # the refresh a commit runs
        one_ms = (time.perf_counter() - started) * 1000
        cr.commit()
        env.invalidate_all()
        started = time.perf_counter()
        pivot = Month.read_group(
            [("company_id", "=", company.id)],
            [
                "opening_mrr:sum",
                "new_mrr:sum",
                "expansion_mrr:sum",
                "contraction_mrr:sum",
                "churn_mrr:sum",
                "reactivation_mrr:sum",
                "closing_mrr:sum",
            ],
            ["month:month", "billing_model"],
            lazy=False,
        )
        pivot_s = time.perf_counter() - started
        env.invalidate_all()
        dashboard = env["msp.dashboard"].with_company(company)
        started = time.perf_counter()
        dashboard.get_dashboard_data()
        dashboard_ms = (time.perf_counter() - started) * 1000
    print(
        f"bench mrrmovement: {n} agreements × 24 months ({rows} rows): history "
        f"built in {built_s:.1f} s, nightly refresh {nightly_s:.1f} s, one agreement "
        f"refreshed in {one_ms:.0f} ms; movement pivot ({len(pivot)} cells) read "
        f"in {pivot_s:.2f} s; dashboard data in {dashboard_ms:.0f} ms",
        flush=True,
    )


def clone_rows(cr, table, src_id, overrides, source, returning=True, where="TRUE"):
    """INSERT copies of row ``src_id`` of ``table``, one per row of ``source``
    (a FROM clause: ``unnest(...)``, ``generate_series(...)``), with the
    columns of ``overrides`` set to SQL expressions."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id'",
        [table],
    )
    cols = [row[0] for row in cr.fetchall()]
    select = ", ".join(overrides.get(col, f"t.{col}") for col in cols)
    cr.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} "
        f"FROM {table} t, {source} WHERE t.id = {int(src_id)} AND {where} "
        + ("RETURNING id" if returning else "")
    )
    return [row[0] for row in cr.fetchall()] if returning else None


def bench_profitability(db, n, months=24):
    """The profitability pivot over N agreements × 24 months: the monthly
    table against an SQL view of the same query; everything rolled back."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        company = make_company(env, f"Bench profitability {time.time()}")
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        print(
            f"[bench] profitability: {n} agreements × {months} months...",
            file=sys.stderr,
            flush=True,
        )
        first = date(DAY.year - 2, DAY.month, 1)
        client = env["res.partner"].create({"name": "Bench client", "is_company": 1})
        product = env["product.product"].create(
            {"name": "Bench seat", "type": "service", "list_price": 20.0}
        )
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        agreement = env["msp.agreement"].create(
            {
                "title": "Bench",
                "partner_id": client.id,
                "company_id": company.id,
                "date_start": first,
                "fixed_fee": 100.0,
                "journal_id": journal.id,
            }
        )
        addition = env["msp.agreement.addition"].create(
            {
                "agreement_id": agreement.id,
                "product_id": product.id,
                "quantity": 5,
                "price_unit": 20.0,
                "cost_unit": 12.0,
                "date_start": first,
            }
        )
        project = env["project.project"].create(
            {"name": "Bench support", "company_id": company.id}
        )
        employee = env["hr.employee"].create(
            {"name": "Bench tech", "company_id": company.id, "hourly_cost": 40.0}
        )
        timesheet = env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": project.id,
                "employee_id": employee.id,
                "date": first,
                "unit_amount": 2.0,
                "msp_agreement_id": agreement.id,
            }
        )
        cost_account = env["account.account"].search(
            [
                ("account_type", "=", "expense_direct_cost"),
                ("company_ids", "in", company.id),
            ],
            limit=1,
        )
        invoice, bill = env["account.move"].create(
            [
                {
                    "move_type": move_type,
                    "partner_id": client.id,
                    "invoice_date": first,
                    "company_id": company.id,
                    "invoice_line_ids": [
                        Command.create(
                            dict(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": 100.0,
                                    "tax_ids": [Command.clear()],
                                },
                                **extra,
                            )
                        )
                    ],
                }
                for move_type, extra in (
                    ("out_invoice", {}),
                    ("in_invoice", {"account_id": cost_account.id}),
                )
            ]
        )
        (invoice | bill).action_post()
        env.flush_all()
        # N - 1 more agreements, each with its analytic account and addition.
        account = agreement.msp_analytic_account_id
        accounts = [account.id] + clone_rows(
            cr,
            "account_analytic_account",
            account.id,
            {"code": "t.code || '-' || g"},
            f"generate_series(1, {n - 1}) g",
        )
        agreements = [agreement.id] + clone_rows(
            cr,
            "msp_agreement",
            agreement.id,
            {"name": "t.name || '-' || g"},
            f"generate_series(1, {n - 1}) g",
        )
        cr.execute(
            "UPDATE msp_agreement a SET msp_analytic_account_id = x.acc, "
            "state = 'active' FROM unnest(%s::int[], %s::int[]) x(ag, acc) "
            "WHERE a.id = x.ag",
            [agreements, accounts],
        )
        additions = [addition.id] + clone_rows(
            cr,
            "msp_agreement_addition",
            addition.id,
            {"agreement_id": "ag"},
            f"unnest(ARRAY{agreements[1:]}) ag",
        )
        for table in ("msp_agreement_addition_quantity", "msp_agreement_addition_cost"):
            cr.execute(
                f"SELECT id FROM {table} WHERE addition_id = %s",
                [addition.id],
            )
            src = cr.fetchone()[0]
            clone_rows(
                cr,
                table,
                src,
                {
                    "addition_id": "x.ad",
                    "agreement_id": "x.ag",
                },
                f"unnest(ARRAY{additions[1:]}, ARRAY{agreements[1:]}) x(ad, ag)",
                returning=False,
            )
        # Revenue every month, a vendor bill one month in four, two lines of
        # time a month.
        pairs = f"unnest(ARRAY{agreements}, ARRAY{accounts}) x(ag, acc)"
        distribution = "jsonb_build_object(x.acc::text, 100)"
        for template, where in (
            (invoice.invoice_line_ids, "TRUE"),
            (bill.invoice_line_ids, "(x.ag + k) % 4 = 0"),
        ):
            clone_rows(
                cr,
                "account_move_line",
                template.id,
                {
                    "date": f"('{first}'::date + k * interval '1 month')::date",
                    "analytic_distribution": distribution,
                },
                f"{pairs}, generate_series(0, {months - 1}) k",
                returning=False,
                where=where,
            )
        clone_rows(
            cr,
            "account_analytic_line",
            timesheet.id,
            {
                "date": (
                    f"('{first}'::date + (k / 2) * interval '1 month')::date + k % 2"
                ),
                "msp_agreement_id": "x.ag",
            },
            f"{pairs}, generate_series(0, {2 * months - 1}) k",
            returning=False,
        )
        cr.execute("ANALYZE")
        Report = env["msp.profitability.report"]
        env.invalidate_all()
        started = time.perf_counter()
        Report._msp_refresh()
        refresh_s = time.perf_counter() - started
        rows = Report.search_count([("company_id", "=", company.id)])
        measures = ["revenue:sum", "cost:sum", "margin:sum", "margin_percent"]
        env.invalidate_all()
        started = time.perf_counter()
        # The pivot opens by month (its total and its rows).
        Report.read_group([("company_id", "=", company.id)], measures, [])
        Report.read_group(
            [("company_id", "=", company.id)], measures, ["month:month"], lazy=False
        )
        open_s = time.perf_counter() - started
        env.invalidate_all()
        started = time.perf_counter()
        Report.read_group(
            [("company_id", "=", company.id)],
            measures,
            ["agreement_id", "month:month"],
            lazy=False,
        )
        table_s = time.perf_counter() - started
        started = time.perf_counter()
        Report._read_group(
            [("company_id", "=", company.id)],
            ["agreement_id", "month:month"],
            ["revenue:sum", "cost:sum", "margin:sum", "margin_percent:sum"],
        )
        table_sql_s = time.perf_counter() - started
        cr.execute("SELECT set_config('jit', 'off', true)")  # as the refresh does
        started = time.perf_counter()
        cr.execute(
            SQL(
                "SELECT agreement_id, month, SUM(revenue), SUM(labour_cost + "
                "addition_cost + bill_cost) FROM (%s) r WHERE company_id = %s "
                "GROUP BY 1, 2",
                Report._msp_rows_query(),
                company.id,
            )
        )
        cr.fetchall()
        view_s = time.perf_counter() - started
        touched = agreements[: max(1, n // 100)]
        # Time passes (one transaction has one now()): the last refresh half
        # a second later, the changed time a second later.
        cr.execute("SELECT now() AT TIME ZONE 'UTC' + interval '0.5 second'")
        env["ir.config_parameter"].set_param(
            "msp_psa.profitability_refreshed_at", str(cr.fetchone()[0])
        )
        cr.execute(
            "UPDATE account_analytic_line SET unit_amount = unit_amount + 1, "
            "write_date = now() AT TIME ZONE 'UTC' + interval '1 second' "
            "WHERE msp_agreement_id = ANY(%s)",
            [touched],
        )
        started = time.perf_counter()
        Report._msp_refresh_incremental()
        incremental_s = time.perf_counter() - started
        cr.rollback()
    print(
        f"bench profitability: {n} agreements × {months} months ({rows} rows), "
        f"table rebuilt in {refresh_s:.1f} s; pivot opened (by month) in "
        f"{open_s:.2f} s; agreement × month from the table in {table_s:.2f} s "
        f"(read_group; its query {table_sql_s:.2f} s), from an SQL view in "
        f"{view_s:.2f} s; incremental refresh ({len(touched)} agreements) in "
        f"{incremental_s:.2f} s",
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


def _block_agreement(env, company, partner, product, date_start):
    return env["msp.agreement"].create(
        {
            "title": "Block of hours",
            "partner_id": partner.id,
            "company_id": company.id,
            "date_start": date_start,
            "term_months": 0,
            "billing_model": "block_hours",
            "fee_product_id": product.id,
            "block_product_id": product.id,
            "block_hours": 100000.0,
            "block_price": 1000.0,
            "overage_rate": 150.0,
            "state": "active",
        }
    )


def bench_timesheets(db, n, edits=200, batches=50, batch_size=100):
    """Timesheet billing decisions: one line edited on a block agreement that
    started five years ago and on one that started this year (the same lines
    in the block window otherwise), then ``batches`` × ``batch_size`` lines
    created batch after batch, one work day a batch. Rolled back; one line:

        bench timesheets: L lines a window, edit X ms (5 years) vs Y ms (this
        year), ratio R; B × S lines created: F ms/line first batches, T last,
        ratio R2, queries/line first vs last batch; one more batch,
        alternated: E ms/line on an empty block vs F after B × S lines
    """
    registry = odoo.modules.registry.Registry(db)
    window = max(n // 10, 50)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        company = make_company(env, f"Bench timesheets {int(time.time())}")
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        product = env["product.product"].create(
            {"name": "Block support", "type": "service", "company_id": company.id}
        )
        partners = env["res.partner"].create(
            [{"name": f"Block client {i}", "is_company": True} for i in range(3)]
        )
        project = env["project.project"].create(
            {"name": "Support", "company_id": company.id}
        )
        employee = env["hr.employee"].create({"name": "Tech", "company_id": company.id})
        today = date.today()
        this_year = date(today.year, 1, 1)
        old = _block_agreement(
            env, company, partners[0], product, date(today.year - 5, 1, 1)
        )
        new = _block_agreement(env, company, partners[1], product, this_year)
        month = date(today.year, today.month, 1)

        def vals(agreement, day, index):
            return {
                "name": f"Work {index}",
                "project_id": project.id,
                "employee_id": employee.id,
                "date": day,
                "unit_amount": 0.25 + (index % 8) * 0.25,
                "msp_agreement_id": agreement.id,
                "company_id": company.id,
            }

        print(
            f"[bench] timesheets: {window} lines a window...",
            file=sys.stderr,
            flush=True,
        )
        targets = {}
        for agreement in (old, new):
            lines = env["account.analytic.line"].create(
                [
                    vals(agreement, month.replace(day=1 + i % 28), i)
                    for i in range(window)
                ]
            )
            # the line worked mid-month: half the window after it
            targets[agreement] = lines.sorted(lambda line: (line.date, line.id))[
                window // 2
            ]
        env.flush_all()
        # Rounds alternating the two agreements, the median of each: the
        # machine's load drifts less between neighbours than over a run.
        edit_ms = {old: [], new: []}
        for _round in range(10):
            for agreement in (old, new):
                line = targets[agreement]
                env.invalidate_all()
                started = time.perf_counter()
                for i in range(edits // 10):
                    line.unit_amount = 1.0 + (i % 2) * 0.5
                    env.flush_all()
                edit_ms[agreement].append(
                    (time.perf_counter() - started) * 1000 / (edits // 10)
                )
        edit_ms = {
            key: sorted(values)[len(values) // 2] for key, values in edit_ms.items()
        }
        print(
            f"[bench] timesheets: {batches} batches of {batch_size}...",
            file=sys.stderr,
            flush=True,
        )
        third = _block_agreement(env, company, partners[2], product, this_year)
        timings = []

        def create_batch(agreement, day):
            vals_list = [vals(agreement, day, i) for i in range(batch_size)]
            env.invalidate_all()
            started, count = time.perf_counter(), cr.sql_log_count
            env["account.analytic.line"].create(vals_list)
            env.flush_all()
            return (
                (time.perf_counter() - started) * 1000 / batch_size,
                (cr.sql_log_count - count) / batch_size,
            )

        for batch in range(batches):
            timings.append(create_batch(third, this_year + timedelta(days=batch)))
        # Probes, alternating: one more batch on an agreement without time and
        # on the one with all the batches (each rolled back), the median.
        fresh = _block_agreement(env, company, partners[0], product, this_year)
        probes = {fresh: [], third: []}
        for _round in range(5):
            for agreement in (fresh, third):
                with cr.savepoint(flush=True) as savepoint:
                    probes[agreement].append(
                        create_batch(agreement, this_year + timedelta(days=batches))[0]
                    )
                    savepoint.rollback()
        probes = {key: sorted(values)[2] for key, values in probes.items()}
        cr.rollback()
    first = sum(ms for ms, _q in timings[:3]) / 3
    last = sum(ms for ms, _q in timings[-3:]) / 3
    print(
        f"bench timesheets: {window} lines a window, edit {edit_ms[old]:.1f} ms "
        f"(agreement of {today.year - 5}) vs {edit_ms[new]:.1f} ms "
        f"({today.year}), ratio {edit_ms[old] / edit_ms[new]:.2f}; "
        f"{batches} × {batch_size} lines created: {first:.2f} ms/line first "
        f"batches vs {last:.2f} last, ratio {last / first:.2f}, "
        f"{timings[0][1]:.2f} vs {timings[-1][1]:.2f} queries/line; one more "
        f"batch, alternated: {probes[fresh]:.2f} ms/line on an empty block vs "
        f"{probes[third]:.2f} after {batches * batch_size} lines, ratio "
        f"{probes[third] / probes[fresh]:.2f}",
        flush=True,
    )


def _recognition_worker(db, company_id, queue, day=None):
    """The month's recognition in a process of its own (its peak RSS is the
    recognition's), committing batch by batch as the cron does; as if on
    ``day`` when given (the day the cron reads, ``Date.context_today``, is
    set in this process only: freezegun's clock would slow every call)."""
    try:
        if day:
            odoo.fields.Date.context_today = staticmethod(
                lambda record, timestamp=None: day
            )
        odoo.sql_db.close_all()
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(
                cr, SUPERUSER_ID, dict(QUIET, allowed_company_ids=[company_id])
            )
            # The process starts with what it shares with the bench that
            # forked it (the invoices just created): the run's own memory is
            # what the peak adds to it.
            rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started, queries = time.perf_counter(), cr.sql_log_count
            env["msp.revenue.schedule.line"]._cron_recognize_revenue(time_budget=0)
            cr.commit()
            queue.put(
                (
                    time.perf_counter() - started,
                    cr.sql_log_count - queries,
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    rss_start,
                    None,
                )
            )
    except Exception:  # noqa: BLE001 - reported to the parent
        queue.put((0.0, 0, 0, 0, traceback.format_exc()))


def bench_recognition(db, n, batch=100):
    """N annual in-advance invoices (one taxed line a year ahead), created and
    posted with deferral and without (the same clients), batch by batch in
    turn so that both see the same load; then the month's recognition of the
    deferred ones. One line:

        bench recognition: N invoices, posting with deferral X ms/invoice vs
        Y without (ratio R; create A vs B); recognition of a month, one item
        per client Z ms/invoice, E entries, at most M lines an entry, peak
        RSS P MB (+G in the run: what the recognition's own process adds to
        the memory it shares with the bench); grouped by account (the next
        month) Z' ms/invoice, ...
    """
    registry = odoo.modules.registry.Registry(db)
    today = date.today()
    # The service year starts on the 1st of last month: one month is due.
    start = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    end = date(start.year + 1, start.month, 1) - timedelta(days=1)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, dict(QUIET))
        company = make_company(env, f"Bench recognition {int(time.time())}")
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        deferred = env["account.account"].create(
            {
                "name": "Deferred Revenue",
                "code": "239100",
                "account_type": "liability_current",
                "company_ids": [Command.set(company.ids)],
            }
        )
        misc = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "general")], limit=1
        )
        company.write(
            {
                "msp_deferred_revenue_account_id": deferred.id,
                "msp_revenue_journal_id": misc.id,
                "msp_revenue_method": "monthly",
            }
        )
        product = env["product.product"].create(
            {
                "name": "Annual backup",
                "type": "service",
                "taxes_id": [Command.set(company.account_sale_tax_id.ids)],
                "company_id": company.id,
            }
        )
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        partners = env["res.partner"].create(
            [{"name": f"Client {i}", "is_company": True} for i in range(n)]
        )
        cr.commit()
        company_id = company.id

        def invoice_batch(chunk, defer):
            company.msp_deferred_revenue_account_id = deferred if defer else False
            vals_list = [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "invoice_date": start,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 1,
                                "price_unit": 1200.0,
                                "start_date": start,
                                "end_date": end,
                            }
                        )
                    ],
                }
                for partner in chunk
            ]
            env.flush_all()
            env.invalidate_all()
            started = time.perf_counter()
            moves = env["account.move"].create(vals_list)
            env.flush_all()
            create_s = time.perf_counter() - started
            started = time.perf_counter()
            moves.action_post()
            env.flush_all()
            post_s = time.perf_counter() - started
            cr.commit()
            return create_s, post_s

        print(
            f"[bench] recognition: {n} invoices with and without deferral, "
            "batch by batch...",
            file=sys.stderr,
            flush=True,
        )
        # Alternated batch by batch, so that both see the same load.
        totals = {False: [0.0, 0.0], True: [0.0, 0.0]}
        for offset in range(0, n, batch):
            for defer in (False, True):
                create_s, post_s = invoice_batch(
                    partners[offset : offset + batch], defer
                )
                totals[defer][0] += create_s
                totals[defer][1] += post_s
        plain = [seconds * 1000 / n for seconds in totals[False]]
        deferring = [seconds * 1000 / n for seconds in totals[True]]
        cr.execute(
            "SELECT count(*) FROM msp_revenue_schedule WHERE company_id = %s",
            [company_id],
        )
        schedules = cr.fetchone()[0]
        assert schedules == n, f"{schedules} schedules for {n} deferred invoices"
    # The first month with one item per client (the default), the second
    # grouped by account: the same invoices, each recognised on its month's
    # last day.
    first_end = start + relativedelta(day=31)
    second_end = start + relativedelta(months=1, day=31)
    print("[bench] recognition: the month...", file=sys.stderr, flush=True)
    per_client = _bench_recognition_month(db, company_id, first_end)
    with registry.cursor() as cr:
        cr.execute(
            "UPDATE res_company SET msp_revenue_entry_detail = 'account' WHERE id = %s",
            [company_id],
        )
    print("[bench] recognition: the next month, grouped...", file=sys.stderr)
    grouped = _bench_recognition_month(db, company_id, second_end)
    for figures in (per_client, grouped):
        posted, left = figures["posted"], figures["left"]
        assert posted == n and not left, f"{posted} months recognised, {left} left"
    print(
        f"bench recognition: {n} invoices, posting with deferral "
        f"{deferring[1]:.1f} ms/invoice vs {plain[1]:.1f} without "
        f"(ratio {deferring[1] / plain[1]:.2f}; create {deferring[0]:.1f} vs "
        f"{plain[0]:.1f}); recognition of a month, one item per client "
        f"{per_client['ms']:.2f} ms/invoice, {per_client['queries']:.2f} "
        f"queries/invoice, {per_client['entries']} entries, at most "
        f"{per_client['widest']} lines an entry, peak RSS {per_client['rss']:.0f} "
        f"MB (+{per_client['grown']:.0f} in the run); grouped by account "
        f"{grouped['ms']:.2f} ms/invoice, "
        f"{grouped['queries']:.2f} queries/invoice, {grouped['entries']} "
        f"entries of at most {grouped['widest']} lines, peak RSS "
        f"{grouped['rss']:.0f} MB (+{grouped['grown']:.0f} in the run)",
        flush=True,
    )


def _bench_recognition_month(db, company_id, month_end):
    """The recognition of the month ending ``month_end``, run on that day in
    a process of its own; its figures per invoice."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    odoo.sql_db.close_all()
    proc = ctx.Process(
        target=_recognition_worker, args=(db, company_id, queue, month_end)
    )
    proc.start()
    elapsed, queries, rss, rss_start, error = queue.get(timeout=3600)
    proc.join()
    assert not error, error
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT count(DISTINCT l.move_id),
                   count(*) FILTER (WHERE l.state = 'posted'),
                   count(*) FILTER (WHERE l.state = 'planned')
              FROM msp_revenue_schedule_line l
             WHERE l.company_id = %s AND l.date = %s
            """,
            [company_id, month_end],
        )
        entries, posted, left = cr.fetchone()
        cr.execute(
            """
            SELECT coalesce(max(c), 0) FROM (
                SELECT count(*) c FROM account_move_line aml
                 WHERE aml.move_id IN (
                       SELECT move_id FROM msp_revenue_schedule_line
                        WHERE company_id = %s AND date = %s)
                 GROUP BY aml.move_id) t
            """,
            [company_id, month_end],
        )
        widest = cr.fetchone()[0]
    return {
        "ms": elapsed * 1000 / max(posted, 1),
        "queries": queries / max(posted, 1),
        "rss": rss / 1024,
        "grown": (rss - rss_start) / 1024,
        "entries": entries,
        "posted": posted,
        "left": left,
        "widest": widest,
    }


def bench_fastpath(db, n, rounds=2):
    """comparable with the batched invoice creation off and on, alternated in
    one run (system parameter msp_psa.invoice_fast_path), then the floor."""
    registry = odoo.modules.registry.Registry(db)
    for _round in range(rounds):
        for value, shape in (("0", "comparable"), ("1", "comparable-fastpath")):
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["ir.config_parameter"].set_param("msp_psa.invoice_fast_path", value)
            bench(db, shape, n, 1)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        # Back to the default (on): the parameter is removed.
        env["ir.config_parameter"].set_param("msp_psa.invoice_fast_path", False)
    floor(db, min(n, 1000))


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
        elif shape == "change":
            bench_change(args.db, args.n)
        elif shape == "sla":
            bench_sla(args.db, args.n)
        elif shape == "mrrmovement":
            bench_mrrmovement(args.db, args.n)
        elif shape == "profitability":
            bench_profitability(args.db, args.n)
        elif shape == "escalation":
            bench_escalation(args.db, args.n)
        elif shape == "lifecycle":
            bench_lifecycle(args.db, args.n)
        elif shape == "timesheets":
            bench_timesheets(args.db, args.n)
        elif shape == "recognition":
            bench_recognition(args.db, args.n)
        elif shape == "fastpath":
            bench_fastpath(args.db, args.n)
        else:
            bench(args.db, shape, args.n, 1)
    if "comparable" in shapes:
        floor(args.db, min(args.n, 1000))
    if args.workers > 1:
        # Only the billing shapes asked for run again with several workers.
        for shape in args.workers_shapes.split(","):
            if shape not in shapes:
                continue
            bench(args.db, f"{shape}-{args.workers}w", args.n, args.workers)


if __name__ == "__main__":
    main()
