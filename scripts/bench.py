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

- timesheets: block-hour time; an edit on an agreement started five years ago
  vs one started this year, and 5,000 lines created in batches of 100
  (bench_timesheets). Rolled back.
- recognition: N annual invoices posted with and without deferral, then the
  month's recognition in bounded entries (bench_recognition).

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


def _recognition_worker(db, company_id, queue):
    """The month's recognition in a process of its own (its peak RSS is the
    recognition's), committing batch by batch as the cron does."""
    try:
        odoo.sql_db.close_all()
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(
                cr, SUPERUSER_ID, dict(QUIET, allowed_company_ids=[company_id])
            )
            started, queries = time.perf_counter(), cr.sql_log_count
            env["msp.revenue.schedule.line"]._cron_recognize_revenue(time_budget=0)
            cr.commit()
            queue.put(
                (
                    time.perf_counter() - started,
                    cr.sql_log_count - queries,
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    None,
                )
            )
    except Exception:  # noqa: BLE001 - reported to the parent
        queue.put((0.0, 0, 0, traceback.format_exc()))


def bench_recognition(db, n, batch=100):
    """N annual in-advance invoices (one taxed line a year ahead), created and
    posted with deferral and without (the same clients), batch by batch in
    turn so that both see the same load; then the month's recognition of the
    deferred ones. One line:

        bench recognition: N invoices, posting with deferral X ms/invoice vs
        Y without (ratio R; create A vs B); recognition of a month
        Z ms/invoice, E entries, at most M lines an entry, peak RSS P MB
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
    print("[bench] recognition: the month...", file=sys.stderr, flush=True)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    odoo.sql_db.close_all()
    proc = ctx.Process(target=_recognition_worker, args=(db, company_id, queue))
    proc.start()
    elapsed, queries, rss, error = queue.get(timeout=3600)
    proc.join()
    assert not error, error
    with registry.cursor() as cr:
        cr.execute(
            """
            SELECT count(DISTINCT l.move_id),
                   count(*) FILTER (WHERE l.state = 'posted'),
                   count(*) FILTER (WHERE l.state = 'planned' AND l.date <= %s)
              FROM msp_revenue_schedule_line l
             WHERE l.company_id = %s AND l.date <= %s
            """,
            [today, company_id, today],
        )
        entries, posted, left = cr.fetchone()
        cr.execute(
            """
            SELECT coalesce(max(c), 0) FROM (
                SELECT count(*) c FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE m.company_id = %s AND m.journal_id = %s
                 GROUP BY aml.move_id) t
            """,
            [company_id, misc.id],
        )
        widest = cr.fetchone()[0]
    assert posted == n and not left, f"{posted} months recognised of {n}, {left} left"
    print(
        f"bench recognition: {n} invoices, posting with deferral "
        f"{deferring[1]:.1f} ms/invoice vs {plain[1]:.1f} without "
        f"(ratio {deferring[1] / plain[1]:.2f}; create {deferring[0]:.1f} vs "
        f"{plain[0]:.1f}); recognition of a month {elapsed * 1000 / n:.2f} "
        f"ms/invoice, {queries / n:.2f} queries/invoice, {entries} entries, at "
        f"most {widest} lines an entry, peak RSS {rss / 1024:.0f} MB",
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
        elif shape == "timesheets":
            bench_timesheets(args.db, args.n)
        elif shape == "recognition":
            bench_recognition(args.db, args.n)
        else:
            bench(args.db, shape, args.n, 1)
    if "comparable" in shapes:
        floor(args.db, min(args.n, 1000))
    if args.workers > 1:
        for shape in args.workers_shapes.split(","):
            bench(args.db, f"{shape}-{args.workers}w", args.n, args.workers)


if __name__ == "__main__":
    main()
