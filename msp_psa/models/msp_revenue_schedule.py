# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import billing, revenue
from .res_company import REVENUE_METHODS


class MspRevenueSchedule(models.Model):
    """The recognition plan of one deferred invoice line, in company currency.

    ``amount_total`` is what the line booked to the deferred revenue account:
    positive for an invoice (revenue to recognise), negative for a credit
    note (revenue to take back). Each month is a ``msp.revenue.schedule.line``.
    """

    _name = "msp.revenue.schedule"
    _description = "MSP Revenue Recognition Schedule"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    # Not required: deleting a draft invoice whose schedule was cancelled keeps
    # the cancelled schedule and its posted months (their entries stay).
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice Line",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    move_id = fields.Many2one(
        related="move_line_id.move_id", store=True, index=True, string="Invoice"
    )
    move_date = fields.Date(
        related="move_line_id.date", store=True, string="Accounting Date"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Client", readonly=True, index=True
    )
    agreement_id = fields.Many2one(
        "msp.agreement",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    product_id = fields.Many2one("product.product", readonly=True)
    income_account_id = fields.Many2one("account.account", required=True, readonly=True)
    deferred_account_id = fields.Many2one(
        "account.account",
        string="Deferred Revenue Account",
        required=True,
        readonly=True,
        index=True,
    )
    journal_id = fields.Many2one(
        "account.journal", string="Recognition Journal", required=True, readonly=True
    )
    analytic_distribution = fields.Json(readonly=True)
    method = fields.Selection(REVENUE_METHODS, required=True, readonly=True)
    date_start = fields.Date(string="Service Start", required=True, readonly=True)
    date_end = fields.Date(string="Service End", required=True, readonly=True)
    amount_total = fields.Monetary(string="Deferred", readonly=True)
    amount_recognised = fields.Monetary(
        string="Recognised", compute="_compute_amounts", store=True
    )
    amount_remaining = fields.Monetary(
        string="Still Deferred", compute="_compute_amounts", store=True
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="running",
        required=True,
        readonly=True,
        index=True,
    )
    line_ids = fields.One2many(
        "msp.revenue.schedule.line", "schedule_id", string="Months", readonly=True
    )

    def init(self):
        # One live schedule per invoice line.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS msp_revenue_schedule_move_line_uniq
                ON msp_revenue_schedule (move_line_id)
             WHERE state != 'cancelled'
            """
        )

    @api.depends("move_line_id.move_id.name", "product_id")
    def _compute_name(self):
        for schedule in self:
            schedule.name = " - ".join(
                filter(
                    None,
                    [schedule.move_line_id.move_id.name, schedule.product_id.name],
                )
            )

    @api.depends("name", "product_id.name", "date_start", "date_end")
    def _compute_display_name(self):
        for schedule in self:
            schedule.display_name = schedule.name or self.env._(
                "%(product)s, %(period)s",
                product=schedule.product_id.name or self.env._("Revenue schedule"),
                period=billing.format_range(schedule.date_start, schedule.date_end)
                if schedule.date_start and schedule.date_end
                else "",
            )

    @api.depends("amount_total", "line_ids.state", "line_ids.amount")
    def _compute_amounts(self):
        # One query for the batch (schedules are never edited in a form: they
        # all have an id).
        posted = dict(
            self.env["msp.revenue.schedule.line"]
            .sudo()
            ._read_group(
                [("schedule_id", "in", self.ids), ("state", "=", "posted")],
                ["schedule_id"],
                ["amount:sum"],
            )
        )
        for schedule in self:
            schedule.amount_recognised = posted.get(schedule, 0.0)
            schedule.amount_remaining = (
                schedule.amount_total - schedule.amount_recognised
            )

    # ------------------------------------------------------------------
    # Creation from posted invoices
    # ------------------------------------------------------------------
    @api.model
    def _prepare_from_move_line(self, line, settings_memo=None):
        """The schedule of a posted invoice line booked to deferred revenue
        (``settings_memo``: see ``account.move.line._msp_revenue_settings``)."""
        move = line.move_id
        company = move.company_id
        currency = company.currency_id
        settings = line._msp_revenue_settings(settings_memo)
        amount = -line.balance
        agreement = (
            line.msp_agreement_id
            or move.msp_agreement_id
            or move.reversed_entry_id.msp_agreement_id
        )
        first_month = move.date
        if agreement and agreement.state in ("cancelled", "expired"):
            # The agreement has ended: nothing is left to deliver, so what this
            # line defers is recognised in the month it is booked.
            months = [(revenue.month_end(first_month), amount)]
        else:
            months = revenue.split(
                amount,
                line.start_date,
                line.end_date,
                method=settings["msp_revenue_method"],
                first_month=first_month,
                digits=currency.decimal_places,
            )
        return {
            "move_line_id": line.id,
            "move_id": move.id,
            "move_date": line.date,
            "company_id": company.id,
            "partner_id": move.commercial_partner_id.id,
            "agreement_id": agreement.id,
            "product_id": line.product_id.id,
            "income_account_id": line.msp_revenue_income_account_id.id,
            "deferred_account_id": line.account_id.id,
            "journal_id": settings["msp_revenue_journal_id"].id,
            "analytic_distribution": line.analytic_distribution,
            "method": settings["msp_revenue_method"],
            "date_start": line.start_date,
            "date_end": line.end_date,
            "amount_total": amount,
            # Nothing is recognised yet (given, not computed from the months,
            # which are inserted after the schedules).
            "amount_recognised": 0.0,
            "amount_remaining": amount,
            "line_ids": [
                fields.Command.create({"date": day, "amount": value})
                for day, value in months
                if not currency.is_zero(value)
            ],
        }

    @api.model
    def _create_for_move_lines(self, lines):
        """The schedules of posted invoice lines, with their months.

        The schedules are created through the ORM; their months (twelve for
        a year in advance, one row each) are inserted in one statement by
        ``msp.revenue.schedule.line._insert_months``, so that posting an
        invoice that defers a year costs about what posting it without
        deferral does (issue 16)."""
        settings_memo = {}
        vals_list = [
            self._prepare_from_move_line(line, settings_memo) for line in lines
        ]
        months = [vals.pop("line_ids") for vals in vals_list]
        schedules = self.sudo().create(vals_list)
        # sudo: as the schedules (whoever may post an invoice gets its
        # schedule, without rights on the schedules themselves).
        self.env["msp.revenue.schedule.line"].sudo()._insert_months(
            [
                (schedule, command[2])
                for schedule, commands in zip(schedules, months, strict=True)
                for command in commands
            ]
        )
        return schedules

    # ------------------------------------------------------------------
    # Adjustments
    # ------------------------------------------------------------------
    def _cancel_and_reverse(self, date):
        """The invoice went back to draft or was cancelled: cancel what is planned
        and take back what was recognised with a reversal dated ``date``. A
        posted recognition is never deleted."""
        schedules = self.filtered(lambda s: s.state != "cancelled")
        if not schedules:
            return
        schedules.line_ids.filtered(lambda line: line.state == "planned").write(
            {"state": "cancelled"}
        )
        reversals = self.env["msp.revenue.schedule.line"]
        reversal_vals = [
            {
                "schedule_id": schedule.id,
                "date": date,
                "amount": -schedule.amount_recognised,
                "kind": "reversal",
            }
            for schedule in schedules
            if not schedule.currency_id.is_zero(schedule.amount_recognised)
        ]
        if reversal_vals:
            reversals = reversals.sudo().create(reversal_vals)
            reversals._post_recognition()
        schedules.write({"state": "cancelled"})

    def _accelerate(self, date):
        """The service stopped at ``date`` (early termination): what is planned
        after its month is recognised in its month."""
        last = revenue.month_end(date)
        for schedule in self.filtered(lambda s: s.state == "running"):
            later = schedule.line_ids.filtered(
                lambda line: line.state == "planned" and line.date > last
            )
            if not later:
                continue
            amount = sum(later.mapped("amount"))
            later.write({"state": "cancelled"})
            current = schedule.line_ids.filtered(
                lambda line, last=last: (
                    line.state == "planned"
                    and line.date == last
                    and line.kind != "reversal"
                )
            )
            if current:
                current.amount += amount
            else:
                self.env["msp.revenue.schedule.line"].sudo().create(
                    {
                        "schedule_id": schedule.id,
                        "date": last,
                        "amount": amount,
                        "kind": "termination",
                    }
                )

    @api.model
    def _stop_agreements(self, agreements, date):
        """Agreements that end early deliver nothing more: the revenue still
        deferred on their invoices is recognised in the month they end. A credit
        note for the unused months, posted afterwards, takes it back in its own
        month (see ``_prepare_from_move_line``)."""
        self.sudo().search(
            [("agreement_id", "in", agreements.ids), ("state", "=", "running")]
        )._accelerate(date)

    def _update_state(self):
        """Running while a month is planned, done after: one query for all."""
        schedules = self.filtered(lambda s: s.state != "cancelled")
        if not schedules:
            return
        planned = {
            schedule.id
            for (schedule,) in self.env["msp.revenue.schedule.line"]
            .sudo()
            ._read_group(
                [("schedule_id", "in", schedules.ids), ("state", "=", "planned")],
                ["schedule_id"],
            )
        }
        for state, todo in (
            ("running", schedules.filtered(lambda s: s.id in planned)),
            ("done", schedules.filtered(lambda s: s.id not in planned)),
        ):
            todo.filtered(lambda s, state=state: s.state != state).state = state

    @api.model
    def _demo_setup(self, agreement_ids):
        """Demo data: a deferred revenue account and the recognition journal for
        the main company, the prepaid agreements' invoices posted on their dates
        and the months that are over recognised. Does nothing twice."""
        company = self.env.ref("base.main_company")
        Account = self.env["account.account"].with_company(company)
        if not company.msp_deferred_revenue_account_id:
            code = next(
                code
                for code in ("239100", "239200", "239300", "239900")
                if not Account.search_count([("code", "=", code)], limit=1)
            )
            company.msp_deferred_revenue_account_id = Account.create(
                {
                    "name": "Deferred Revenue",
                    "code": code,
                    "account_type": "liability_current",
                }
            )
        if not company.msp_revenue_journal_id:
            company.msp_revenue_journal_id = self.env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "general")], limit=1
            )
        company.msp_revenue_method = "monthly"
        agreements = self.env["msp.agreement"].browse(agreement_ids)
        invoiced = self.env["account.move"].search(
            [("msp_agreement_id", "in", agreements.ids)]
        )
        agreements -= invoiced.msp_agreement_id
        if agreements:
            run = self.env["msp.billing.run"]._run_agreements(agreements)
            moves = run.invoice_ids
            moves.action_post()
            # The demo's Billing Runs screen starts empty.
            moves.msp_billing_run_id = False
            run.unlink()
        self.env["msp.revenue.schedule.line"]._cron_recognize_revenue()

    def action_view_invoice(self):
        self.ensure_one()
        return self.move_id._get_records_action()
