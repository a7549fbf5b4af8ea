# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import float_compare, float_is_zero

from ..tools import billing
from ..tools import blocks as blocks_tools
from ..tools import hours as hours_tools

DECISIONS = [
    ("covered", "Covered"),
    ("prepaid", "Prepaid"),
    ("billable", "Billable"),
    ("non_billable", "Non-billable"),
]
# What a list shows: the decision, but 'Leaked' for billable time nothing will
# bill (no agreement to bill it under) and 'Undecided' for time without one.
STATUSES = DECISIONS + [("leaked", "Leaked"), ("undecided", "Undecided")]
# Changing one of these may change how a line is billed.
DECISION_FACTS = {
    "date",
    "unit_amount",
    "ticket_id",
    "task_id",
    "project_id",
    "msp_agreement_id",
    "msp_work_type_id",
    "msp_non_billable",
    "msp_non_billable_reason",
    "msp_tm_product_id",
    "msp_tm_price_unit",
}

# The computed decision of a line before anything is decided.
UNDECIDED = {
    "msp_billing_decision": False,
    "msp_decision_reason": False,
    "msp_product_id": False,
    "msp_price_unit": 0.0,
    "msp_to_review": False,
}

# What an invoice billed: frozen once the line is invoiced (moving the time to
# another project or task, as the helpdesk does with its ticket, stays free).
BILLED_FACTS = DECISION_FACTS - {"project_id", "task_id"}


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="MSP Agreement",
        compute="_compute_msp_agreement_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="The agreement this time is logged under: the ticket's agreement, "
        "else the project's.",
    )
    msp_work_type_id = fields.Many2one(
        "msp.work.type",
        string="Work Type",
        help="Decides, with the agreement's labour rates, whether and at what rate "
        "this time is billed.",
    )
    msp_invoice_line_id = fields.Many2one(
        "account.move.line",
        string="MSP Invoice Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The invoice line that billed this time.",
    )
    msp_non_billable = fields.Boolean(
        string="Not Billable",
        copy=False,
        help="Staff decided this time is not billed (give the reason).",
    )
    msp_non_billable_reason = fields.Char(string="Why Not Billable", copy=False)
    msp_billing_decision = fields.Selection(
        DECISIONS,
        string="Billing Decision",
        compute="_compute_msp_billing_decision",
        store=True,
        copy=False,
        index="btree_not_null",
        help="Covered by the fixed fee, prepaid (drawn from block hours), billable "
        "(time & materials, overage, unmapped work, a work type the agreement does "
        "not cover) or non-billable. Judged by the work date; frozen once invoiced.",
    )
    msp_decision_reason = fields.Char(
        string="Why",
        compute="_compute_msp_billing_decision",
        store=True,
        copy=False,
    )
    msp_prepaid_hours = fields.Float(
        string="Prepaid Hours",
        readonly=True,
        copy=False,
        default=0.0,
        help="Hours of this line drawn from the agreement's block.",
    )
    msp_overage_hours = fields.Float(
        string="Overage Hours",
        readonly=True,
        copy=False,
        default=0.0,
        help="Hours of this line beyond the agreement's block.",
    )
    msp_product_id = fields.Many2one(
        "product.product",
        string="Labour Product",
        compute="_compute_msp_billing_decision",
        store=True,
        copy=False,
    )
    msp_price_unit = fields.Float(
        string="Hourly Rate",
        compute="_compute_msp_billing_decision",
        store=True,
        copy=False,
        digits="Product Price",
        help="In the agreement's currency.",
    )
    msp_to_review = fields.Boolean(
        string="Leak",
        compute="_compute_msp_billing_decision",
        store=True,
        copy=False,
        index="btree_not_null",
        help="Client work no invoice will pick up as it stands: no billing "
        "decision, or billable without an agreement to bill it under.",
    )
    msp_tm_product_id = fields.Many2one(
        "product.product",
        string="T&M Product",
        copy=False,
        help="Staff decided to bill this time as time & materials with this "
        "product (Leakage Queue > Bill as Time & Materials).",
    )
    msp_tm_price_unit = fields.Float(
        string="T&M Hourly Rate",
        copy=False,
        digits="Product Price",
        help="The hourly rate staff decided for this time, in the agreement's "
        "currency.",
    )
    # The hours of the line by the way they are billed (they add up to the
    # line's hours): what Hours by Billing Decision sums, and what the engine
    # invoices (prepaid and overage on the block lines, billable as time &
    # materials).
    msp_covered_hours = fields.Float(
        string="Covered Hours",
        compute="_compute_msp_hours_split",
        store=True,
        help="Hours covered by the fee.",
    )
    msp_billable_hours = fields.Float(
        string="Billable Hours",
        compute="_compute_msp_hours_split",
        store=True,
        help="Hours billed as time & materials at the line's rate (overage "
        "beyond a block is counted apart).",
    )
    msp_non_billable_hours = fields.Float(
        string="Non-billable Hours",
        compute="_compute_msp_hours_split",
        store=True,
        help="Hours staff decided not to bill.",
    )
    msp_undecided_hours = fields.Float(
        string="Undecided Hours",
        compute="_compute_msp_hours_split",
        store=True,
        help="Client hours nothing will bill as they stand (Leakage Queue): no "
        "billing decision, or no agreement to bill them under.",
    )
    msp_billing_status = fields.Selection(
        STATUSES,
        string="Billing Status",
        compute="_compute_msp_billing_status",
        help="The billing decision; 'Leaked' or 'Undecided' for time nothing will "
        "bill as it stands.",
    )
    msp_currency_id = fields.Many2one(
        "res.currency", compute="_compute_msp_amount_at_stake"
    )
    msp_amount_at_stake = fields.Monetary(
        string="Amount at Stake",
        currency_field="msp_currency_id",
        compute="_compute_msp_amount_at_stake",
        help="The hours billed as time & materials or overage times the rate that "
        "applies; for time nothing bills yet, its hours times the rate that would "
        "apply (the agreement's rate for the work type, the overage rate of a "
        "block, else the work type's list price).",
    )

    @api.depends("ticket_id.msp_agreement_id", "project_id.msp_agreement_id")
    def _compute_msp_agreement_id(self):
        for line in self:
            if line.msp_invoice_line_id:
                continue
            if line.ticket_id:
                line.msp_agreement_id = line.ticket_id.msp_agreement_id
            elif line.project_id.msp_agreement_id:
                line.msp_agreement_id = line.project_id.msp_agreement_id

    @api.depends(
        "unit_amount",
        "msp_billing_decision",
        "msp_prepaid_hours",
        "msp_overage_hours",
        "msp_to_review",
    )
    def _compute_msp_hours_split(self):
        for line in self:
            split = hours_tools.split_hours(
                line.unit_amount,
                line.msp_billing_decision,
                line.msp_prepaid_hours,
                line.msp_overage_hours,
                line.msp_to_review,
            )
            line.msp_covered_hours = split["covered"]
            line.msp_billable_hours = split["billable"]
            line.msp_non_billable_hours = split["non_billable"]
            line.msp_undecided_hours = split["undecided"]

    @api.depends("msp_billing_decision", "msp_to_review")
    def _compute_msp_billing_status(self):
        for line in self:
            line.msp_billing_status = hours_tools.status(
                line.msp_billing_decision, line.msp_to_review
            )

    @api.depends(
        "msp_billable_hours",
        "msp_overage_hours",
        "msp_undecided_hours",
        "msp_price_unit",
        "msp_agreement_id",
        "msp_work_type_id",
    )
    def _compute_msp_amount_at_stake(self):
        rates = self._msp_rates()
        for line in self:
            agreement = line.msp_agreement_id
            line.msp_currency_id = agreement.currency_id or line.company_id.currency_id
            price = line.msp_price_unit
            if line.msp_undecided_hours:
                if agreement.block_hours:
                    price = agreement.overage_rate
                elif agreement:
                    covered, _product, price = agreement.sudo()._get_time_rate(
                        line, rates
                    )
                    price = 0.0 if covered else price
                else:
                    price = line.msp_work_type_id.product_id.lst_price
            line.msp_amount_at_stake = line.msp_currency_id.round(
                (
                    line.msp_billable_hours
                    + line.msp_overage_hours
                    + line.msp_undecided_hours
                )
                * price
            )

    @api.constrains("msp_non_billable", "msp_non_billable_reason")
    def _check_non_billable_reason(self):
        for line in self:
            if (
                line.msp_non_billable
                and not (line.msp_non_billable_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "Say why %(hours)s h on %(date)s (%(what)s) are not billable.",
                        hours=billing.fmt_quantity(line.unit_amount),
                        date=line.date,
                        what=line.name or "",
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._msp_split_block_hours()
        return lines

    def write(self, vals):
        if self.env.context.get("msp_deciding") or not DECISION_FACTS & set(vals):
            return super().write(vals)
        if any(line.msp_invoice_line_id for line in self) and BILLED_FACTS & set(vals):
            invoiced = self.filtered("msp_invoice_line_id")[:1]
            raise ValidationError(
                self.env._(
                    "%(what)s of %(date)s is invoiced on %(invoice)s: cancel the "
                    "invoice before changing the time.",
                    what=invoiced.name or "",
                    date=invoiced.date,
                    invoice=invoiced.msp_invoice_line_id.move_id.display_name,
                )
            )
        touched = self._msp_block_touches()
        res = super().write(vals)
        self._msp_split_block_hours(touched)
        return res

    def unlink(self):
        touched = self._msp_block_touches()
        res = super().unlink()
        self.browse()._msp_split_block_hours(touched)
        return res

    def _msp_block_touches(self):
        """{agreement: {work dates}} of these lines on block-hour agreements:
        where the order of the block's work may change."""
        touches = defaultdict(set)
        for line in self.sudo():
            agreement = line.msp_agreement_id
            if agreement.block_hours and line.date:
                touches[agreement].add(line.date)
        return touches

    @api.model
    def _msp_block_spans(self, touches):
        """{agreement: [(first, last, since)]}: the spans of work whose block
        draw a change on the ``touches`` days can move (the period of the day;
        with rolled-over hours, everything from the oldest block still valid on
        it), merged, each with the earliest day touched in it: the work before
        that day keeps its draw."""
        return {
            agreement: blocks_tools.merge_windows(
                (*agreement._msp_block_window(day), day) for day in days
            )
            for agreement, days in touches.items()
            if days
        }

    @api.model
    def _msp_span_domain(self, spans, since=True):
        """The time of these spans: from their ``since`` day on (``since``), or
        before it (not ``since``)."""
        return expression.OR(
            [
                [("msp_agreement_id", "=", agreement.id)]
                + (
                    [("date", ">=", day), ("date", "<=", last)]
                    if since
                    else [("date", ">=", first), ("date", "<", day)]
                )
                for agreement, windows in spans.items()
                for first, last, day in windows
            ]
        )

    # ------------------------------------------------------------------
    # Leakage Queue: bulk actions that fix the cause
    # ------------------------------------------------------------------
    def action_msp_leakage_assign(self):
        return self._msp_leakage_wizard_action("assign")

    def action_msp_leakage_non_billable(self):
        return self._msp_leakage_wizard_action("non_billable")

    def action_msp_leakage_time_materials(self):
        return self._msp_leakage_wizard_action("time_materials")

    def _msp_leakage_wizard_action(self, action):
        self._msp_check_leakage_lines()
        wizard = self.env["msp.leakage.wizard"]
        return {
            "type": "ir.actions.act_window",
            "name": dict(wizard._fields["action"].selection)[action],
            "res_model": wizard._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_action": action,
                "default_line_ids": [Command.set(self.ids)],
            },
        }

    def _msp_leak_label(self):
        return ", ".join(
            self.env._(
                "%(what)s (%(date)s, %(hours)s h)",
                what=line.name or line.ticket_id.display_name or "",
                date=line.date,
                hours=billing.fmt_quantity(line.unit_amount),
            )
            for line in self[:3]
        ) + ("…" if len(self) > 3 else "")

    def _msp_check_leakage_lines(self):
        """The time a bulk action may change: chosen, existing, the user's to
        change, and not invoiced."""
        if not self:
            raise UserError(self.env._("Select the time to act on."))
        gone = self - self.exists()
        if gone:
            raise UserError(
                self.env._(
                    "Time %(ids)s no longer exists: reload the list.",
                    ids=", ".join(str(line_id) for line_id in gone.ids),
                )
            )
        self.check_access("write")
        invoiced = self.filtered("msp_invoice_line_id")
        if invoiced:
            raise UserError(
                self.env._(
                    "%(lines)s is invoiced on %(invoice)s: cancel the invoice "
                    "before changing how the time is billed.",
                    lines=invoiced._msp_leak_label(),
                    invoice=invoiced[:1].msp_invoice_line_id.move_id.display_name,
                )
            )

    @api.model
    def _msp_browse_arg(self, model, value, what):
        """The one existing record of ``model`` that ``value`` (an id, or a
        record as a wizard passes it) names, readable by the user."""
        if isinstance(value, models.BaseModel) and value._name == model:
            if len(value) > 1:
                raise UserError(
                    self.env._("Choose one %(what)s, not several.", what=what)
                )
            value = value.id
        if not value:
            raise UserError(self.env._("Choose the %(what)s.", what=what))
        if isinstance(value, bool) or not isinstance(value, int):
            raise UserError(
                self.env._(
                    "%(value)s is not a valid %(what)s: give its id.",
                    value=repr(value),
                    what=what,
                )
            )
        # Beyond PostgreSQL's integer no record can exist (and the query would fail).
        record = self.env[model]
        if 0 < value < 2**31:
            record = record.browse(value).exists()
        if not record:
            raise UserError(
                self.env._(
                    "There is no %(what)s with id %(value)s.", what=what, value=value
                )
            )
        record.check_access("read")
        return record

    def action_msp_assign_agreement(self, agreement_id):
        """Map the tickets of this time to ``agreement_id``, an active agreement
        of their client: their time is decided again under it."""
        self._msp_check_leakage_lines()
        agreement = self._msp_browse_arg(
            "msp.agreement", agreement_id, self.env._("agreement")
        )
        no_ticket = self.filtered(lambda line: not line.ticket_id)
        if no_ticket:
            raise UserError(
                self.env._(
                    "%(lines)s is not time of a ticket: set the agreement on its "
                    "project instead.",
                    lines=no_ticket._msp_leak_label(),
                )
            )
        if agreement.state != "active":
            raise UserError(
                self.env._(
                    "%(agreement)s is not active: only an active agreement covers "
                    "tickets.",
                    agreement=agreement.display_name,
                )
            )
        client = agreement.partner_id.commercial_partner_id
        for ticket in self.ticket_id:
            if (
                ticket.commercial_partner_id != client
                or ticket.company_id != agreement.company_id
            ):
                raise UserError(
                    self.env._(
                        "%(agreement)s is an agreement of %(client)s: it cannot "
                        "cover %(ticket)s of %(other)s.",
                        agreement=agreement.display_name,
                        client=client.display_name,
                        ticket=ticket.display_name,
                        other=ticket.commercial_partner_id.display_name
                        or self.env._("no client"),
                    )
                )
        self.ticket_id.check_access("write")
        self.ticket_id.write({"msp_agreement_id": agreement.id})
        return True

    def action_msp_mark_non_billable(self, reason):
        """Decide this time is not billed, for ``reason`` (recorded on it)."""
        self._msp_check_leakage_lines()
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(
                self.env._(
                    "Say why %(lines)s is not billable: the reason is required.",
                    lines=self._msp_leak_label(),
                )
            )
        self.write(
            {
                "msp_non_billable": True,
                "msp_non_billable_reason": reason.strip(),
                "msp_tm_product_id": False,
                "msp_tm_price_unit": 0.0,
            }
        )
        return True

    def action_msp_bill_time_materials(self, product_id, price_unit):
        """Decide this time is billed as time & materials with ``product_id`` at
        ``price_unit`` an hour (in the agreement's currency): the next billing
        run of its agreement bills it. Time without an agreement has nothing to
        be billed under: map its ticket first (Assign Agreement)."""
        self._msp_check_leakage_lines()
        product = self._msp_browse_arg(
            "product.product", product_id, self.env._("product")
        )
        if (
            isinstance(price_unit, bool)
            or not isinstance(price_unit, int | float)
            or not math.isfinite(price_unit)
            or price_unit < 0
        ):
            raise UserError(
                self.env._(
                    "%(value)s is not an hourly rate: give a number of zero or more.",
                    value=repr(price_unit),
                )
            )
        no_agreement = self.filtered(lambda line: not line.msp_agreement_id)
        if no_agreement:
            raise UserError(
                self.env._(
                    "%(lines)s has no agreement: a billing run bills time under "
                    "the client's agreement. Assign the agreement first.",
                    lines=no_agreement._msp_leak_label(),
                )
            )
        inactive = self.msp_agreement_id.filtered(lambda a: a.state != "active")
        if inactive:
            raise UserError(
                self.env._(
                    "%(agreement)s is not active: no billing run bills its time.",
                    agreement=inactive[:1].display_name,
                )
            )
        self.write(
            {
                "msp_tm_product_id": product.id,
                "msp_tm_price_unit": float(price_unit),
                "msp_non_billable": False,
                "msp_non_billable_reason": False,
            }
        )
        return True

    # ------------------------------------------------------------------
    # The billing decision
    # ------------------------------------------------------------------
    @api.depends(
        "date",
        "unit_amount",
        "ticket_id",
        "msp_agreement_id",
        "msp_agreement_id.date_start",
        "msp_agreement_id.block_hours",
        "msp_agreement_id.rate_ids.work_type_id",
        "msp_agreement_id.rate_ids.covered",
        "msp_agreement_id.rate_ids.product_id",
        "msp_agreement_id.rate_ids.price_unit",
        "msp_work_type_id",
        "msp_non_billable",
        "msp_non_billable_reason",
        "msp_tm_product_id",
        "msp_tm_price_unit",
    )
    def _compute_msp_billing_decision(self):
        """How each line will be billed, from the line and its agreement alone.

        Invoiced lines keep what their invoice billed (frozen), and lines that
        draw from a block keep what the block split decided for them
        (_msp_split_block_hours): how much of a line the block pays depends on
        the lines worked before it, not on the line alone.
        """
        rates = self._msp_rates()
        for line in self:
            if line.msp_invoice_line_id:
                continue
            vals = line._msp_prepare_decision_vals(rates)
            if vals is not None:
                line.update(vals)

    def _msp_rates(self):
        """{(agreement id, work type id): rate} of these lines' agreements."""
        rates = {}
        # sudo: the rates decide the billing of the time, whoever logs it
        for rate in (
            self.env["msp.agreement.rate"]
            .sudo()
            .search([("agreement_id", "in", self.msp_agreement_id.ids)])
        ):
            rates[(rate.agreement_id.id, rate.work_type_id.id)] = rate
        return rates

    def _msp_split_block_hours(self, touched=None):
        """Split the hours of these lines, not yet invoiced, between their
        agreement's block (prepaid) and overage, and decide the lines that draw
        from a block; lines that no longer draw give their hours back.

        The one imperative part of the billing decision: a block is drawn in
        work-date order, so a line can move the draw of the lines worked after
        it, in its block window (its period; with rolled-over hours, everything
        from the oldest block valid on its date), and of no other. These lines
        and the open lines at or after the earliest work date they touch (or
        ``touched``, {agreement: {dates}}, what a write or a deletion touched
        before) are decided again, together, in one pass; the work before that
        day only replays its draws (one read, summed per day), so that the cost
        does not grow with the block's earlier lines.
        """
        lines = self.sudo().exists()
        touches = lines._msp_block_touches()
        for agreement, days in (touched or {}).items():
            touches[agreement] |= days
        spans = self._msp_block_spans(touches)
        if spans:
            lines |= self.sudo().search(
                expression.AND(
                    [
                        self._msp_span_domain(spans),
                        [("msp_invoice_line_id", "=", False)],
                    ]
                )
            )
        lines = lines.filtered(
            lambda line: (
                not line.msp_invoice_line_id
                and (
                    line.msp_agreement_id.block_hours
                    or line.msp_prepaid_hours
                    or line.msp_overage_hours
                )
            )
        )
        if not lines:
            return
        rates = lines._msp_rates()
        ledgers = lines._msp_block_ledgers(spans)
        updates = defaultdict(lambda: self.browse())
        for line in lines.sorted(lambda line: (line.date, line.id)):
            if line._msp_prepare_decision_vals(rates) is None:
                vals = line._msp_prepare_block_decision_vals(ledgers)
            else:
                vals = {"msp_prepaid_hours": 0.0, "msp_overage_hours": 0.0}
            current = {
                name: line[name].id if name == "msp_product_id" else line[name]
                for name in vals
            }
            if current != vals:
                updates[tuple(sorted(vals.items()))] |= line
        for key, group in updates.items():
            group.with_context(msp_deciding=True).write(dict(key))
        lines.msp_agreement_id.filtered("block_hours")._msp_check_block_thresholds()

    def _msp_block_ledgers(self, spans):
        """{agreement id: (ledger, draws before)}: the blocks of each
        agreement's spans and, in work-date order, the hours drawn by the work
        that is not decided again: before each span's ``since`` day (summed per
        day), and invoiced from it on (final). They are applied to the ledger
        as the open lines are decided."""
        ledgers = {}
        if not spans:
            return ledgers
        Line = self.env["account.analytic.line"].sudo()
        draws = defaultdict(list)
        for agreement, day, hours in Line._read_group(
            expression.AND(
                [
                    self._msp_span_domain(spans, since=False),
                    [("msp_prepaid_hours", "!=", 0)],
                ]
            ),
            ["msp_agreement_id", "date:day"],
            ["msp_prepaid_hours:sum"],
        ):
            # id 0: before any line of the day (none of that day is decided)
            draws[agreement.id].append((day, 0, hours))
        for line in Line.search(
            expression.AND(
                [self._msp_span_domain(spans), [("msp_invoice_line_id", "!=", False)]]
            ),
            order="date, id",
        ):
            draws[line.msp_agreement_id.id].append(
                (line.date, line.id, line.msp_prepaid_hours)
            )
        last_day = {}
        for line in self:
            key = line.msp_agreement_id
            last_day[key] = max(last_day.get(key, line.date), line.date)
        for agreement, windows in spans.items():
            first = min(start for start, _end, _day in windows)
            last = last_day.get(agreement, first)
            ledgers[agreement.id] = (
                agreement._msp_block_ledger(first, last),
                sorted(draws[agreement.id]),
            )
        return ledgers

    def _msp_prepare_decision_vals(self, rates):
        """The decision of this line from the line and its agreement alone;
        None when the line draws from its agreement's block, which the block
        split decides."""
        self.ensure_one()
        vals = dict(UNDECIDED)
        agreement = self.msp_agreement_id
        if self.msp_non_billable:
            vals["msp_billing_decision"] = "non_billable"
            vals["msp_decision_reason"] = self.msp_non_billable_reason
            return vals
        if not agreement:
            if self.ticket_id:
                vals.update(
                    msp_billing_decision="billable",
                    msp_decision_reason=self.env._(
                        "No agreement covers the ticket: time & materials once the "
                        "ticket has an agreement"
                    ),
                    msp_to_review=True,
                )
            return vals
        if self.msp_tm_product_id:
            # Staff's decision (Leakage Queue): time & materials at their rate,
            # whatever the agreement or its term say.
            vals.update(
                msp_billing_decision="billable",
                msp_product_id=self.msp_tm_product_id.id,
                msp_price_unit=self.msp_tm_price_unit,
                msp_decision_reason=self.env._(
                    "Billed as time & materials by decision of staff: %(product)s "
                    "at %(price)s an hour",
                    product=self.msp_tm_product_id.display_name,
                    price=billing.fmt_amount(self.msp_tm_price_unit),
                ),
            )
            return vals
        if not agreement._msp_in_force(self.date):
            vals["msp_decision_reason"] = self.env._(
                "Worked on %(date)s, outside the term of %(agreement)s: map the "
                "ticket to the agreement in force then",
                date=self.date,
                agreement=agreement.display_name,
            )
            vals["msp_to_review"] = True
            return vals
        covered, product, price = agreement._get_time_rate(self, rates)
        if agreement.block_hours and not covered:
            return None
        work = self.msp_work_type_id.name or self.env._("work without a work type")
        if covered:
            vals["msp_billing_decision"] = "covered"
            vals["msp_decision_reason"] = self.env._(
                "%(work)s is covered by the fee", work=work
            )
            return vals
        if not product:
            vals["msp_decision_reason"] = self.env._(
                "No labour product for %(work)s: set a rate on the agreement or a "
                "product on the work type",
                work=work,
            )
            vals["msp_to_review"] = True
            return vals
        vals.update(
            msp_billing_decision="billable",
            msp_product_id=product.id,
            msp_price_unit=price,
            msp_decision_reason=self.env._(
                "%(work)s at %(price)s an hour",
                work=work,
                price=billing.fmt_amount(price),
            ),
        )
        return vals

    def _msp_prepare_block_decision_vals(self, ledgers):
        """The block draw of this line and its decision, from the ledger of its
        agreement's blocks (see _msp_split_block_hours)."""
        agreement = self.msp_agreement_id
        vals = dict(UNDECIDED)
        ledger, drawn = ledgers[agreement.id]
        # Work done before this line and not decided again drew first.
        while drawn and drawn[0][:2] < (self.date, self.id):
            day, _line_id, hours = drawn.pop(0)
            ledger.draw(day, hours)
        prepaid, keys = ledger.draw(self.date, self.unit_amount)
        overage = round(self.unit_amount - prepaid, 6)
        vals["msp_prepaid_hours"] = prepaid
        vals["msp_overage_hours"] = overage
        if float_is_zero(overage, precision_rounding=0.0001):
            vals["msp_billing_decision"] = "prepaid"
            vals["msp_decision_reason"] = self.env._(
                "Drawn from the block of %(period)s", period=" + ".join(keys)
            )
            return vals
        period = agreement._period_label(*agreement._period_containing(self.date))
        product = agreement._msp_block_product()
        vals.update(
            msp_billing_decision="billable",
            msp_product_id=product.id,
            msp_price_unit=agreement.overage_rate,
            msp_decision_reason=self.env._(
                "%(overage)s h beyond the block of %(period)s at %(rate)s an hour",
                overage=billing.fmt_quantity(overage),
                period=period,
                rate=billing.fmt_amount(agreement.overage_rate),
            ),
        )
        if float_compare(prepaid, 0.0, precision_rounding=0.0001) > 0:
            vals["msp_decision_reason"] = self.env._(
                "%(prepaid)s h drawn from the block, %(reason)s",
                prepaid=billing.fmt_quantity(prepaid),
                reason=vals["msp_decision_reason"],
            )
        return vals
