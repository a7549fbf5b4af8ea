# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The block-hour ledger of ``msp.agreement``: prepaid blocks of hours.

One home for the block's fields, its balances (hours bought, drawn, left,
overage), the alerts to the account manager, the product that bills it, and
the time that draws from it. The pure parts (draining blocks, hours logged,
thresholds) are in ``tools/blocks.py``.
"""

from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.osv import expression

from ..tools import billing
from ..tools import blocks as blocks_tools

# Shares of a block (%) past which the account manager gets an activity.
BLOCK_THRESHOLDS = (70, 90, 100)


# One concern per file, on purpose (issue 11.1): the agreement's definition,
# its billing, its block ledger.
class MspAgreement(models.Model):
    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    block_hours = fields.Float(
        string="Hours Bought", tracking=True, help="Prepaid hours per block."
    )
    block_price = fields.Monetary(
        tracking=True, help="Price of one block, bought once per billing period."
    )
    block_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
    )
    block_date_start = fields.Date(
        string="Block Start",
        help="Start of the current block: hours logged from this date on draw it down "
        "(empty: the current billing period's start, a block being bought per period).",
    )
    block_hours_used = fields.Float(string="Hours Used", compute="_compute_block_hours")
    block_hours_remaining = fields.Float(
        string="Hours Remaining", compute="_compute_block_hours"
    )
    block_rollover_months = fields.Integer(
        string="Unused Hours Roll Over (months)",
        tracking=True,
        help="Unused hours of a block stay available this many months after its "
        "period ends. Work draws first from the block that expires first. "
        "0: unused hours lapse at the end of the period.",
    )
    block_alert_start = fields.Date(readonly=True, copy=False)
    block_alert_level = fields.Integer(
        readonly=True,
        copy=False,
        help="Highest share of the current block (70, 90, 100 %) the account "
        "manager was told about.",
    )
    overage_rate = fields.Monetary(
        help="Hourly rate billed for hours beyond the block."
    )

    @api.depends(
        "block_hours", "block_date_start", "date_start", "block_rollover_months"
    )
    def _compute_block_hours(self):
        """Hours logged in the current block period (drawn or overage) and the
        hours left in the blocks valid today, less that overage. Community
        timesheets have no approval step: all logged time counts."""
        balances = self._msp_block_balances()
        for agreement in self:
            # Without a block there is nothing to run out of.
            _total, left, used, overage = balances.get(agreement.id, (0, 0, 0, 0))
            agreement.block_hours_used = used
            agreement.block_hours_remaining = left - overage

    def _msp_block_window(self, day):
        """(first, last) day of the work whose block draw a change on ``day``
        can move: its period; with rolled-over hours, from the oldest block
        valid on ``day`` onwards."""
        self.ensure_one()
        if not self.block_rollover_months:
            return self._period_containing(day)
        oldest = day - relativedelta(months=self.block_rollover_months)
        return self._period_containing(max(oldest, self.date_start))[0], date.max

    def _msp_block_ledger(self, first, last):
        """The blocks of the periods from ``first`` to ``last``, keyed by their
        label, each valid from its period's start to its end plus the
        roll-over months."""
        self.ensure_one()
        blocks = []
        start, end = self._period_containing(max(first, self.date_start))
        while start <= last and (not self.date_end or start <= self.date_end):
            expiry = end + relativedelta(months=self.block_rollover_months)
            blocks.append(
                (self._period_label(start, end), start, expiry, self.block_hours)
            )
            start, end = self._period_containing(end + timedelta(days=1))
        return blocks_tools.BlockLedger(blocks)

    def _msp_block_balances(self, day=None):
        """{agreement id: (hours of the blocks valid on ``day``, hours left in
        them, hours logged in ``day``'s block period, overage among them)} for
        the block-hour agreements among these, from one read of their time."""
        day = day or fields.Date.context_today(self)
        agreements = self.filtered(lambda a: a.id and a.date_start and a.block_hours)
        if not agreements:
            return {}
        starts = {a.id: a._get_block_start() for a in agreements}
        firsts = {a.id: a._msp_block_window(starts[a.id])[0] for a in agreements}
        ledgers = {a.id: a._msp_block_ledger(firsts[a.id], day) for a in agreements}
        logged = defaultdict(list)
        # Summed per day: drawing a day's hours at once draws what its lines
        # draw one by one, and the read does not grow with the block's lines.
        for agreement, work_day, prepaid, overage in (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                agreements._msp_block_time_domain(firsts, day),
                ["msp_agreement_id", "date:day"],
                ["msp_prepaid_hours:sum", "msp_overage_hours:sum"],
                order="date:day",
            )
        ):
            ledgers[agreement.id].draw(work_day, prepaid)
            logged[agreement.id].append((work_day, prepaid, overage))
        balances = {}
        for key, ledger in ledgers.items():
            used, overage = blocks_tools.hours_logged(logged[key], starts[key], day)
            balances[key] = (*ledger.balance(day), used, overage)
        return balances

    def _msp_block_time(self, firsts, day):
        """The time of these block-hour agreements that drew from a block or
        went beyond it, from ``firsts[agreement id]`` to ``day``, in work-date
        order, from one read: what the block figures of the back office and the
        portal are summed from."""
        if not self:
            return self.env["account.analytic.line"]
        # sudo: the agreement's time, whoever logged it
        return (
            self.env["account.analytic.line"]
            .sudo()
            .search(self._msp_block_time_domain(firsts, day), order="date, id")
        )

    def _msp_block_time_domain(self, firsts, day):
        return expression.AND(
            [
                expression.OR(
                    [
                        [("msp_agreement_id", "=", a.id), ("date", ">=", firsts[a.id])]
                        for a in self
                    ]
                ),
                [
                    ("date", "<=", day),
                    "|",
                    ("msp_prepaid_hours", "!=", 0),
                    ("msp_overage_hours", "!=", 0),
                ],
            ]
        )

    def _msp_check_block_thresholds(self):
        """Schedule an activity for the account manager when the current block
        passes 70, 90 and 100 % (each once per block)."""
        self.invalidate_recordset(["block_hours_used", "block_hours_remaining"])
        balances = self.filtered(lambda a: a.state == "active")._msp_block_balances()
        for agreement in self:
            if agreement.id not in balances:
                continue
            start = agreement._get_block_start()
            level = (
                agreement.block_alert_level
                if agreement.block_alert_start == start
                else 0
            )
            total, left, _used, overage = balances[agreement.id]
            reached = blocks_tools.threshold_reached(
                total, left, overage, BLOCK_THRESHOLDS
            )
            if reached <= level:
                if agreement.block_alert_start != start:
                    agreement.write(
                        {"block_alert_start": start, "block_alert_level": 0}
                    )
                continue
            agreement.write({"block_alert_start": start, "block_alert_level": reached})
            if agreement.user_id:
                agreement.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._(
                        "%(percent)s %% of the block hours used", percent=reached
                    ),
                    note=self.env._(
                        "%(client)s has used %(used)s h of the %(hours)s h block "
                        "that started on %(start)s.",
                        client=agreement.partner_id.display_name,
                        used=billing.fmt_quantity(agreement.block_hours_used),
                        hours=billing.fmt_quantity(agreement.block_hours),
                        start=start,
                    ),
                    user_id=agreement.user_id.id,
                )

    def _get_block_start(self):
        """Start of the current block: set by hand, or the current billing period's."""
        self.ensure_one()
        if self.block_date_start:
            return self.block_date_start
        today = fields.Date.context_today(self)
        if today < self.date_start:
            return self.date_start
        return self._period_containing(today)[0]

    def _msp_block_product(self):
        """The product that bills the block, its usage and its overage: the
        block product, else the fee product."""
        self.ensure_one()
        return self.block_product_id or self.fee_product_id
