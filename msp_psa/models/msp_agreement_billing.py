# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The billing half of ``msp.agreement``: what an invoice of an agreement holds.

Kept apart from the agreement's definition so that each file reads as one
concern. Everything here works on a batch of agreements with a fixed number of
queries: the data of the whole batch is read first, then each agreement's
invoice is built in memory (``_prepare_invoice_vals``), then the batch is
created at once by the billing run (``msp.billing.run``).
"""

from collections import defaultdict
from datetime import timedelta
from typing import NamedTuple

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.misc import babel_locale_parse, formatLang, get_lang

from ..tools import billing, periods
from .msp_agreement_addition import _billed_parts


class BillingData(NamedTuple):
    """What the invoices of a batch of agreements are built from
    (``msp.agreement._read_billing_data``)."""

    additions: dict
    """{agreement: its additions}"""
    steps: dict
    """{addition id: [(date, quantity)]}: the quantity log of the recurring
    additions (``msp.agreement.addition._read_quantity_steps``)"""
    previous: dict
    """{agreement id: (start, end)} of the period billed just before the first
    due one (none: a first invoice)"""
    previous_summary: dict
    """{agreement id: {addition id: (quantity, monthly price)}} as billed at the
    start of that previous period, for the review"""
    settle_from: dict
    """{agreement id: day}: the periods billed from that day on are settled
    again (the previous period, and back to the earliest change of a billed
    fact since the last invoice)"""
    billed: dict
    """{addition id: [(start, end, quantity)]}: its live recurring invoice lines
    that end in its agreement's window or later"""
    billed_once: set
    """{addition id}: the one-time additions with a live invoice line"""
    timesheets: dict
    """{agreement id: [analytic lines]}: decided billable or prepaid time not
    invoiced yet, before the batch's last invoice date, in date order"""
    undecided: dict
    """{agreement id: hours} of time without a billing decision"""
    prices: dict = None
    """{(component, id): [(date, price)]}: the price log of the batch
    (``msp.agreement._read_price_steps``); None: each reads its own"""
    billed_fees: dict = None
    """{(fee or block, agreement id): [(start, end, quantity, price)]}: the
    live fee and block lines from the agreement's ``fee_settle_from`` on, for
    the agreements whose fixed fee or block price changed in periods billed
    already"""


class MspAgreement(models.Model):
    _inherit = "msp.agreement"

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_invoice_now(self):
        """Invoice what is due today, now, through the same engine as the night run."""
        self.ensure_one()
        if self.state != "active":
            raise UserError(self.env._("Only an active agreement can be invoiced."))
        run = self.env["msp.billing.run"]._run_agreements(self, manual=True)
        moves = run.invoice_ids.filtered(lambda m: self in m.line_ids.msp_agreement_id)
        issue = run.issue_ids.filtered(
            lambda i: i.agreement_id == self and i.level == "error"
        )
        if issue:
            raise UserError(issue[0].message)
        if not moves:
            raise UserError(
                self.env._(
                    "Nothing is due on %(agreement)s today: its next invoice date is "
                    "%(date)s.",
                    agreement=self.display_name,
                    date=self.next_invoice_date or self.env._("none"),
                )
            )
        return self.action_view_invoices()

    def action_preview_invoice(self):
        """Show the invoice the next run would create, without creating anything."""
        self.ensure_one()
        date_ref = self.next_invoice_date or fields.Date.context_today(self)
        date_ref = max(date_ref, fields.Date.context_today(self))
        plans = self._prepare_billing(date_ref)
        plan = plans[0] if plans else {}
        Preview = self.env["msp.billing.preview"]
        preview = Preview.create(
            Preview._prepare_preview_vals(
                self,
                date_ref,
                plan.get("invoice_vals"),
                plan.get("periods", ()),
                plan.get("warnings", ()),
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "msp.billing.preview",
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Next invoice of %(agreement)s", agreement=self.name),
        }

    # ------------------------------------------------------------------
    # Preparing invoices
    # ------------------------------------------------------------------
    def _prepare_billing(self, date_ref, run=None):
        """For each agreement of ``self`` with periods due on ``date_ref``:
        ``{"agreement", "periods", "invoice_vals" (None: nothing to bill),
        "warnings"}``."""
        self.flush_model(["next_period_start"])
        self.env["msp.agreement.period"].flush_model()
        self.env.cr.execute(
            """
            SELECT p.agreement_id, p.date_start
              FROM msp_agreement_period p
              JOIN msp_agreement a ON a.id = p.agreement_id
             WHERE p.agreement_id = ANY(%s) AND p.date_start >= a.next_period_start
            """,
            [self.ids],
        )
        billed_ahead = defaultdict(set)
        for agreement_id, date_from in self.env.cr.fetchall():
            billed_ahead[agreement_id].add(date_from)
        due, next_start = {}, {}
        for agreement in self:
            due[agreement], next_start[agreement] = agreement._get_due_periods(
                date_ref, billed_ahead[agreement.id]
            )
        # Nothing due, but the pointer stands on periods billed already: move it on.
        plans = [
            {
                "agreement": agreement,
                "periods": [],
                "next_start": next_start[agreement],
                "invoice_vals": None,
                "warnings": [],
            }
            for agreement in self
            if not due[agreement]
            and next_start[agreement] != agreement.next_period_start
        ]
        agreements = self.browse([a.id for a, p in due.items() if p])
        if not agreements:
            return plans
        data = agreements._read_billing_data(due)
        for agreement in agreements:
            lines, warnings = agreement._prepare_invoice_lines(due[agreement], data)
            invoice_vals = None
            if lines:
                invoice_vals = agreement._prepare_invoice_vals(
                    due[agreement], lines, run
                )
                invoice_vals.update(
                    agreement._prepare_review_vals(
                        due[agreement], lines, warnings, data
                    )
                )
            plans.append(
                {
                    "agreement": agreement,
                    "periods": due[agreement],
                    "next_start": next_start[agreement],
                    "invoice_vals": invoice_vals,
                    "warnings": warnings,
                }
            )
        return plans

    def _read_billing_data(self, due):
        """Everything the batch's invoices need (a ``BillingData``), from a
        fixed number of queries: ``due`` are {agreement: its due periods}."""
        additions = self.env["msp.agreement.addition"].search(
            [("agreement_id", "in", self.ids)]
        )
        recurring = additions.filtered(lambda a: a.recurrence == "recurring")
        previous, previous_move, settle_from = self._read_previous_periods()
        # Each agreement reads what was billed from its own window on: the
        # settled past, else its first due period.
        windows = {
            agreement.id: settle_from.get(agreement.id) or due[agreement][0][0]
            for agreement in self
            if due.get(agreement)
        }
        billed, billed_once = additions._read_billed_lines(windows)
        horizon = max(p[-1][2] for p in due.values() if p)
        timesheets, undecided = self._read_billable_time(horizon)
        fee_windows = {
            agreement.id: agreement.fee_settle_from
            for agreement in self
            if due.get(agreement)
            and agreement.fee_settle_from
            and agreement.fee_settle_from < due[agreement][0][0]
        }
        return BillingData(
            additions=additions.grouped("agreement_id"),
            steps=recurring._read_quantity_steps(),
            previous=previous,
            previous_summary=self._read_previous_summaries(previous, previous_move),
            settle_from=settle_from,
            billed=billed,
            billed_once=billed_once,
            timesheets=timesheets,
            undecided=undecided,
            prices=self._read_price_steps(),
            billed_fees=self._read_billed_fee_lines(fee_windows),
        )

    def _read_billed_fee_lines(self, windows):
        """{(fee or block, agreement id): [(start, end, quantity, price)]} of
        the live fee and block lines of the agreements of ``windows`` {agreement
        id: first day} ending on or after that day, in one query (none without
        a window). A price change line reads as its quantity credited at the
        old price and charged at the new one."""
        billed = defaultdict(list)
        if not windows:
            return billed
        domain = expression.OR(
            [
                [("msp_agreement_id", "in", ids), ("end_date", ">=", day)]
                for day, ids in sorted(_group_by_value(windows).items())
            ]
        )
        # sudo: the engine reads what was billed, whoever previews or runs it
        for line in (
            self.env["account.move.line"]
            .sudo()
            .search_read(
                expression.AND(
                    [
                        [
                            ("parent_state", "!=", "cancel"),
                            ("msp_line_kind", "in", ("fee", "block")),
                        ],
                        domain,
                    ]
                ),
                [
                    "msp_agreement_id",
                    "msp_line_kind",
                    "start_date",
                    "end_date",
                    "msp_billed_quantity",
                    "msp_unit_price",
                    "msp_price_change",
                    "msp_price_from",
                ],
                load=None,
            )
        ):
            key = (line["msp_line_kind"], line["msp_agreement_id"])
            billed[key] += _billed_parts(line)
        return billed

    def _read_previous_periods(self):
        """({agreement id: (start, end) of the period billed just before its
        pointer}, {agreement id: that period's invoice id}, {agreement id: the
        first day its next invoice settles again}), in one query.

        The settled past is the previous period, and from the earliest day a
        billed fact of one of its additions changed since it was last invoiced
        (``settle_from`` of the additions), never before its first billed
        period."""
        self.env["msp.agreement.addition"].flush_model(["settle_from"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (p.agreement_id)
                   p.agreement_id, p.date_start, p.date_end, p.move_id,
                   MIN(p.date_start) OVER (PARTITION BY p.agreement_id),
                   (SELECT MIN(ad.settle_from) FROM msp_agreement_addition ad
                     WHERE ad.agreement_id = p.agreement_id)
              FROM msp_agreement_period p
              JOIN msp_agreement a ON a.id = p.agreement_id
             WHERE p.agreement_id = ANY(%s) AND p.date_start < a.next_period_start
             ORDER BY p.agreement_id, p.date_start DESC
            """,
            [self.ids],
        )
        previous, previous_move, settle_from = {}, {}, {}
        for row in self.env.cr.fetchall():
            agreement_id, date_from, date_to, move_id, first_start, changed = row
            previous[agreement_id] = (date_from, date_to)
            previous_move[agreement_id] = move_id
            start = min(filter(None, [date_from, changed]))
            settle_from[agreement_id] = max(start, first_start)
        return previous, previous_move, settle_from

    def _read_billable_time(self, horizon):
        """({agreement id: [decided billable or prepaid time not invoiced, before
        ``horizon``, in date order]}, {agreement id: hours of time without a
        decision}). Time is billed as decided when it was logged (see
        account.analytic.line._msp_decide); undecided time is reported."""
        timesheets = defaultdict(list)
        undecided = defaultdict(float)
        # sudo: the agreement's time, whoever logged it
        for ts in (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("msp_agreement_id", "in", self.ids),
                    ("project_id", "!=", False),
                    ("msp_invoice_line_id", "=", False),
                    ("date", "<", horizon),
                    "|",
                    ("msp_billing_decision", "in", ("billable", "prepaid")),
                    ("msp_billing_decision", "=", False),
                ],
                order="date, id",
            )
        ):
            if ts.msp_billing_decision:
                timesheets[ts.msp_agreement_id.id].append(ts)
            else:
                undecided[ts.msp_agreement_id.id] += ts.unit_amount
        return timesheets, undecided

    def _msp_settled(self):
        """These agreements were just invoiced: the changes of their additions
        are settled, their next invoice settles only the period billed last
        (and what changes from now on)."""
        if not self:
            return
        Addition = self.env["msp.agreement.addition"]
        Addition.flush_model(["settle_from"])
        # SQL: the engine's own bookkeeping, not an edit of the additions (no
        # write date, no access rights of whoever runs billing needed).
        self.env.cr.execute(
            """
            UPDATE msp_agreement_addition SET settle_from = NULL
             WHERE agreement_id = ANY(%s) AND settle_from IS NOT NULL
            """,
            [self.ids],
        )
        Addition.invalidate_model(["settle_from"])
        if any(agreement.fee_settle_from for agreement in self):
            self.flush_model(["fee_settle_from"])
            self.env.cr.execute(
                """
                UPDATE msp_agreement SET fee_settle_from = NULL
                 WHERE id = ANY(%s) AND fee_settle_from IS NOT NULL
                """,
                [self.ids],
            )
            self.invalidate_model(["fee_settle_from"])

    def _read_previous_summaries(self, previous, previous_move):
        """{agreement id: {addition id: (quantity, monthly price)}} as billed at the
        start of the previous period, for the review of what changed."""
        summaries = {agreement_id: {} for agreement_id in previous_move}
        move_agreement = {m: a for a, m in previous_move.items() if m}
        if not move_agreement:
            return summaries
        for line in (
            self.env["account.move.line"]
            .sudo()
            .search_read(
                [
                    ("move_id", "in", list(move_agreement)),
                    ("msp_line_kind", "=", "addition"),
                    ("msp_price_change", "=", False),
                ],
                [
                    "move_id",
                    "msp_addition_id",
                    "start_date",
                    "end_date",
                    "msp_billed_quantity",
                    "msp_unit_price",
                ],
                load=None,
            )
        ):
            agreement_id = move_agreement[line["move_id"]]
            start = previous[agreement_id][0]
            if line["start_date"] <= start <= line["end_date"]:
                summary = summaries[agreement_id]
                quantity, _price = summary.get(line["msp_addition_id"], (0.0, 0.0))
                summary[line["msp_addition_id"]] = (
                    quantity + line["msp_billed_quantity"],
                    line["msp_unit_price"],
                )
        return summaries

    def _prepare_review_vals(self, due, lines, warnings, data):
        """What changed since the previous invoice, and whether it deserves a look:
        a first invoice, a quantity change over 20 %, a new or ended addition, a
        price change, hours beyond the block, no billable time on a time &
        materials agreement, a warning of the engine."""
        self.ensure_one()
        notes, flag = [], bool(warnings)
        start = due[0][0]
        current = {}
        for line in lines:
            if (
                line.get("msp_line_kind") == "addition"
                and not line.get("msp_price_change")
                and line["start_date"] <= start <= line["end_date"]
            ):
                quantity, _price = current.get(line["msp_addition_id"], (0.0, 0.0))
                current[line["msp_addition_id"]] = (
                    quantity + line["msp_billed_quantity"],
                    line["msp_unit_price"],
                )
        before = data.previous_summary.get(self.id)
        Addition = self.env["msp.agreement.addition"]
        if before is None:
            notes.append(self.env._("First invoice of this agreement."))
            flag = True
        else:
            sources = dict(
                Addition._fields["quantity_source"]._description_selection(self.env)
            )
            # The agreement's additions, read with the batch (a deleted one is
            # read on its own).
            additions = data.additions.get(self, Addition)
            additions |= Addition.browse(
                sorted((before.keys() | current.keys()) - set(additions.ids))
            )
            by_id = {addition.id: addition for addition in additions}
            for addition_id in sorted(before.keys() | current.keys()):
                addition = by_id[addition_id]
                name = addition.product_id.name
                old_qty, old_price = before.get(addition_id, (None, None))
                new_qty, new_price = current.get(addition_id, (None, None))
                if old_qty is None:
                    notes.append(self.env._("New: %(name)s.", name=name))
                    flag = True
                elif new_qty is None:
                    notes.append(self.env._("Ended: %(name)s.", name=name))
                    flag = True
                else:
                    if old_qty != new_qty:
                        change = (new_qty - old_qty) / old_qty if old_qty else 1.0
                        notes.append(
                            self.env._(
                                "%(name)s: %(old)s → %(new)s (%(pct)s %%, %(origin)s).",
                                name=name,
                                old=billing.fmt_quantity(old_qty),
                                new=billing.fmt_quantity(new_qty),
                                pct=billing.fmt_percent(change),
                                origin=sources[addition.quantity_source].lower(),
                            )
                        )
                        flag = flag or abs(change) > 0.2
                    if old_price != new_price:
                        notes.append(
                            self.env._(
                                "%(name)s: price %(old)s → %(new)s.",
                                name=name,
                                old=billing.fmt_amount(
                                    old_price, self.currency_id.decimal_places
                                ),
                                new=billing.fmt_amount(
                                    new_price, self.currency_id.decimal_places
                                ),
                            )
                        )
                        flag = True
        settled = [
            line
            for line in lines
            if line.get("msp_line_kind") == "addition" and line["end_date"] < start
        ]
        if settled:
            notes.append(
                self.env._(
                    "%(count)s change(s) settled in periods already billed.",
                    count=len(settled),
                )
            )
        overage = sum(
            line["quantity"] for line in lines if line.get("msp_line_kind") == "overage"
        )
        if overage:
            notes.append(
                self.env._(
                    "Block hours exhausted: %(hours)s h of overage.",
                    hours=billing.fmt_quantity(overage),
                )
            )
            flag = True
        if self.billing_model == "time_materials" and not any(
            line.get("msp_line_kind") == "time" for line in lines
        ):
            notes.append(self.env._("No billable time in this invoice."))
            flag = True
        notes += warnings
        return {
            "msp_review_needed": flag,
            "msp_review_note": "\n".join(notes)
            or self.env._("No change since the previous invoice."),
        }

    def _prepare_invoice_lines(self, due, data):
        """Invoice lines of one agreement for its due periods.

        Returns (lines, warnings)."""
        self.ensure_one()
        lines, warnings = [], []
        first_start, last_end = due[0][0], due[-1][1]
        previous = data.previous.get(self.id)
        additions = data.additions.get(self, self.env["msp.agreement.addition"])
        # The lines speak the client's language; warnings stay the user's.
        client = self._msp_client()

        prices = self._read_price_steps() if data.prices is None else data.prices
        fee_steps = prices.get(("fee", self.id))
        block_steps = prices.get(("block", self.id))
        for date_from, date_to, _invoice_date in due:
            # A price step inside the period: a line for each price.
            pieces = billing.price_pieces(fee_steps, date_from, date_to, self.fixed_fee)
            for piece_from, piece_to, fee in pieces:
                if fee:
                    lines.append(
                        client._prepare_fee_line_vals(piece_from, piece_to, fee=fee)
                    )
            if self.block_hours:
                pieces = billing.price_pieces(
                    block_steps, date_from, date_to, self.block_price
                )
                for piece_from, piece_to, price in pieces:
                    if price:
                        lines.append(
                            client._prepare_block_line_vals(
                                piece_from, piece_to, price=price, split=len(pieces) > 1
                            )
                        )
        # A fixed fee or block price changed in periods billed already: the
        # difference of the days billed, at the price of each day.
        if self.fee_settle_from and self.fee_settle_from < first_start:
            for component, steps, current in (
                ("fee", fee_steps, self.fixed_fee),
                ("block", block_steps, self.block_price),
            ):
                lines += client._prepare_price_settlement_vals(
                    component,
                    self.fee_settle_from,
                    first_start - timedelta(days=1),
                    steps,
                    current,
                    (data.billed_fees or {}).get((component, self.id), []),
                )

        windows = [(first_start, last_end, False)]
        settle_from = data.settle_from.get(self.id)
        if settle_from and settle_from < first_start:
            windows.insert(0, (settle_from, first_start - timedelta(days=1), True))
        for addition in additions:
            if addition.recurrence == "one_time":
                if (
                    addition.id not in data.billed_once
                    and addition.date_start <= due[-1][2]
                ):
                    lines += addition._prepare_invoice_line_vals()
                continue
            for window_from, window_to, settlement in windows:
                lines += addition._prepare_invoice_line_vals(
                    window_from,
                    window_to,
                    settlement,
                    steps=data.steps.get(addition.id, []),
                    billed=data.billed.get(addition.id, []),
                    prices=prices.get(("addition", addition.id), []),
                )

        time_lines, time_warnings = self._prepare_time_line_vals(due, previous, data)
        return lines + time_lines, warnings + time_warnings

    def _msp_line_name(self, product, detail):
        """A line's label as Odoo writes one: the product, then the details on
        a line of their own (the invoice form shows the product's name in its
        column and the details under it; a PDF prints both lines)."""
        return f"{product}\n{detail}"

    def _msp_client(self):
        """This agreement in its client's language, to write invoice lines."""
        self.ensure_one()
        return self.with_context(lang=get_lang(self.env, self.partner_id.lang).code)

    def _period_label(self, date_from, date_to):
        """'1–31 Jan 2026' in the language of the context."""
        return billing.format_range(
            date_from, date_to, babel_locale_parse(get_lang(self.env).code)
        )

    def _msp_day_label(self, day):
        """'17 Jan' in the language of the context."""
        return billing.fmt_day(day, babel_locale_parse(get_lang(self.env).code))

    def _msp_amount_label(self, amount):
        """A price in a label: the currency's decimals, the language's separators."""
        return formatLang(self.env, amount, digits=self.currency_id.decimal_places)

    def _msp_quantity_label(self, quantity):
        """A quantity in a label, with the language's decimal point."""
        return billing.fmt_quantity(quantity, get_lang(self.env).decimal_point)

    def _msp_factor_label(self, date_from, date_to):
        """' × 15/31 days', ' × 3 months' in the language of the context."""

        def months(count):
            if count == 1:
                return self.env._("%(count)s month", count=count)
            return self.env._("%(count)s months", count=count)

        def days(count, month_days):
            return self.env._(
                "%(days)s/%(month_days)s days", days=count, month_days=month_days
            )

        return billing.factor_label(
            date_from, date_to, self.anchor_day, months=months, days=days
        )

    def _msp_quantity_price(self, units, months, price):
        """(quantity, unit price) of a line: see ``billing.line_quantity_price``."""
        return billing.line_quantity_price(
            units,
            months,
            price,
            self.env["decimal.precision"].precision_get("Product Unit of Measure"),
            self.currency_id.round,
        )

    def _prepare_fee_line_vals(self, date_from, date_to, fee=None):
        """The fixed fee over [date_from, date_to] at the monthly ``fee``
        (default: the agreement's)."""
        fee = self.fixed_fee if fee is None else fee
        if not self.fee_product_id:
            raise UserError(
                self.env._(
                    "%(agreement)s has a fixed fee but no fee product: set one on its "
                    "Billing tab.",
                    agreement=self.display_name,
                )
            )
        factor = billing.month_factor(date_from, date_to, self.anchor_day)
        quantity, price_unit = self._msp_quantity_price(1.0, factor, fee)
        return {
            "product_id": self.fee_product_id.id,
            "name": self._msp_line_name(
                self.fee_product_id.display_name,
                self.env._(
                    "%(period)s: %(fee)s%(math)s",
                    period=self._period_label(date_from, date_to),
                    fee=self._msp_amount_label(fee),
                    math=self._msp_factor_label(date_from, date_to),
                ),
            ),
            "quantity": quantity,
            "price_unit": price_unit,
            "start_date": date_from,
            "end_date": date_to,
            "msp_line_kind": "fee",
            "msp_billed_quantity": 1.0,
            "msp_unit_price": fee,
        }

    def _prepare_block_line_vals(self, date_from, date_to, price=None, split=False):
        """The block over [date_from, date_to] at ``price`` a period (default:
        the agreement's block price); ``split``: a part of a period whose price
        changes inside, labelled with its price and share."""
        price = self.block_price if price is None else price
        product = self._msp_block_product()
        if not product:
            raise UserError(
                self.env._(
                    "%(agreement)s sells blocks of hours but has no block product.",
                    agreement=self.display_name,
                )
            )
        months = periods.CYCLE_MONTHS[self.billing_cycle]
        share = billing.month_factor(date_from, date_to, self.anchor_day) / months
        name = self.env._(
            "Block of %(hours)s hours, %(period)s",
            hours=self._msp_quantity_label(self.block_hours),
            period=self._period_label(date_from, date_to),
        )
        if split:
            name = self.env._(
                "%(block)s: %(math)s",
                block=name,
                math=self._msp_block_math(price, date_from, date_to),
            )
        return {
            "product_id": product.id,
            "name": name,
            "quantity": 1.0,
            "price_unit": self.currency_id.round(price * share),
            "start_date": date_from,
            "end_date": date_to,
            "msp_line_kind": "block",
            "msp_billed_quantity": 1.0,
            "msp_unit_price": price,
        }

    def _msp_block_math(self, price, date_from, date_to):
        """'650.00 × 17/31 days' (monthly), '900.00 / 3 months × 1 month +
        14/31 days' (a block priced per quarter), in the context's language."""
        months = periods.CYCLE_MONTHS[self.billing_cycle]
        amount = self._msp_amount_label(price)
        if months > 1:
            amount = self.env._(
                "%(price)s / %(months)s months", price=amount, months=months
            )
        return amount + self._msp_factor_label(date_from, date_to)

    def _prepare_price_settlement_vals(
        self, component, date_from, date_to, steps, current, billed
    ):
        """The lines that re-price the days of [date_from, date_to] billed of
        the fixed fee or the block (``component``) at another price than the
        price ``steps`` give for that day (``current`` without a log);
        ``billed``: (start, end, quantity, price) of its live lines. Days
        not billed are not billed here (a suspended period stays unbilled)."""
        self.ensure_one()

        def billed_on(day):
            return [
                (part[2], part.price) for part in billed if part[0] <= day <= part[1]
            ]

        def due(day):
            quantity = round(sum(q for q, _p in billed_on(day)), 6)
            return quantity, billing.price_at(steps, day, current)

        breakpoints = {d for d, _p in (steps or [])[1:]}
        for start, end, _q in billed:
            breakpoints |= {start, end + timedelta(days=1)}
        months = periods.CYCLE_MONTHS[self.billing_cycle]
        lines = []
        part_from = date_from
        while part_from <= date_to:  # one period at a time
            part_to = min(
                periods.period_bounds(part_from, months, self.anchor_day)[1], date_to
            )
            for seg_from, seg_to, quantity, price, old_price in billing.settle_segments(
                part_from, part_to, due, billed_on, breakpoints
            ):
                if old_price is not None:
                    lines.append(
                        self._prepare_price_change_vals(
                            component, seg_from, seg_to, quantity, price, old_price
                        )
                    )
            part_from = part_to + timedelta(days=1)
        return lines

    def _prepare_price_change_vals(
        self, component, date_from, date_to, quantity, price, old_price
    ):
        """A line moving the fixed fee or the block (``component``) billed over
        [date_from, date_to] at ``old_price`` to ``price``: "Fixed fee change
        from 15 Mar, 15–31 Mar 2026: 100.00 → 120.00 × 17/31 days"."""
        factor = billing.month_factor(date_from, date_to, self.anchor_day)
        if component == "fee":
            product = self.fee_product_id
            detail = self.env._(
                "Fixed fee change from %(day)s, %(period)s: %(old)s → %(new)s%(math)s",
                day=self._msp_day_label(date_from),
                period=self._period_label(date_from, date_to),
                old=self._msp_amount_label(old_price),
                new=self._msp_amount_label(price),
                math=self._msp_factor_label(date_from, date_to),
            )
            line_quantity, price_unit = self._msp_quantity_price(
                quantity, factor, price - old_price
            )
            name = self._msp_line_name(product.display_name, detail)
        else:
            product = self._msp_block_product()
            months = periods.CYCLE_MONTHS[self.billing_cycle]
            name = self.env._(
                "Block price change from %(day)s, %(period)s: %(old)s → "
                "%(new)s%(math)s",
                day=self._msp_day_label(date_from),
                period=self._period_label(date_from, date_to),
                old=self._msp_amount_label(old_price),
                new=self._msp_amount_label(price),
                math=(
                    self.env._(" / %(months)s months", months=months)
                    if months > 1
                    else ""
                )
                + self._msp_factor_label(date_from, date_to),
            )
            line_quantity = quantity
            price_unit = self.currency_id.round((price - old_price) * factor / months)
        return {
            "product_id": product.id,
            "name": name,
            "quantity": line_quantity,
            "price_unit": price_unit,
            "start_date": date_from,
            "end_date": date_to,
            "msp_line_kind": component,
            "msp_billed_quantity": quantity,
            "msp_unit_price": price,
            "msp_price_from": old_price,
            "msp_price_change": True,
        }

    # ------------------------------------------------------------------
    # Time
    # ------------------------------------------------------------------
    def _get_time_rate(self, timesheet, rates):
        """(covered, product, price) for a timesheet line under this agreement.

        The work type's own rate line decides; else the default line (no work
        type), except that a default marked covered covers only time without a
        work type: a new kind of work is billable until the agreement lists it.
        Without a line, the work type's product at its list price.
        """
        work_type = timesheet.msp_work_type_id
        rate = rates.get((self.id, work_type.id)) if work_type else None
        default = rates.get((self.id, False))
        if not rate and default and not (default.covered and work_type):
            rate = default
        if rate and rate.covered:
            return True, None, 0.0
        product = (rate and rate.product_id) or work_type.product_id
        price = rate.price_unit if rate else product.lst_price
        return False, product, price

    def _prepare_time_line_vals(self, due, previous, data):
        """Billable time up to the invoice, as decided when it was logged: per
        ticket (or task) and rate for time & materials; for block-hour
        agreements, each ended period's usage and overage."""
        self.ensure_one()
        timesheets = data.timesheets.get(self.id, [])
        warnings = []
        if data.undecided.get(self.id):
            warnings.append(
                self.env._(
                    "%(hours)s h of time have no billing decision and are not "
                    "billed: see MSP > Billing > Leakage Queue.",
                    hours=billing.fmt_quantity(data.undecided[self.id]),
                )
            )
        if not timesheets:
            return [], warnings
        client = self._msp_client()
        lines = []
        if self.block_hours:
            # Usage of every period that has ended by the invoice date,
            # back-dated time of periods billed before included. Time staff
            # decided to bill as time & materials is billed as such, below.
            invoice_date = due[-1][2]
            by_period = defaultdict(list)
            for ts in timesheets:
                if ts.msp_billable_hours:
                    continue
                period = self._period_containing(ts.date)
                if period[1] < invoice_date:
                    by_period[period].append(ts)
            for (date_from, date_to), group in sorted(by_period.items()):
                lines += client._prepare_block_usage_line_vals(
                    group, date_from, date_to
                )
            timesheets = [ts for ts in timesheets if ts.msp_billable_hours]
        groups = {}
        for ts in timesheets:
            # One line per ticket (or task) and rate: the hours, the days, the work.
            key = (ts.ticket_id, ts.task_id, ts.msp_product_id, ts.msp_price_unit)
            groups.setdefault(key, []).append(ts)
        for (ticket, task, product, price), group in groups.items():
            hours = sum(ts.msp_billable_hours for ts in group)
            days = sorted({ts.date for ts in group})
            origin = (
                client._msp_ticket_label(ticket)
                or task.with_env(client.env).display_name
                or product.with_env(client.env).name
            )
            lines.append(
                {
                    "product_id": product.id,
                    "name": client.env._(
                        "%(origin)s, %(period)s: %(hours)s h × %(price)s",
                        origin=origin,
                        period=client._period_label(days[0], days[-1]),
                        hours=client._msp_quantity_label(hours),
                        price=client._msp_amount_label(price),
                    ),
                    "quantity": hours,
                    "price_unit": price,
                    "start_date": days[0],
                    "end_date": days[-1],
                    "msp_line_kind": "time",
                    "msp_timesheet_ids": [Command.set([ts.id for ts in group])],
                }
            )
        return lines, warnings

    def _msp_ticket_label(self, ticket):
        """'HT00012 Printer offline': a ticket as the client knows it."""
        if not ticket:
            return ""
        return " ".join(filter(None, [ticket.number, ticket.name]))

    def _prepare_block_usage_line_vals(self, timesheets, date_from, date_to):
        used = sum(t.msp_prepaid_hours + t.msp_overage_hours for t in timesheets)
        overage = sum(t.msp_overage_hours for t in timesheets)
        product = self._msp_block_product()
        lines = [
            {
                "product_id": product.id,
                "name": self.env._(
                    "Hours used, %(period)s: %(used)s of %(block)s",
                    period=self._period_label(date_from, date_to),
                    used=self._msp_quantity_label(used),
                    block=self._msp_quantity_label(self.block_hours),
                ),
                "quantity": used,
                "price_unit": 0.0,
                "start_date": date_from,
                "end_date": date_to,
                "msp_line_kind": "block_usage",
                "msp_timesheet_ids": [Command.set([t.id for t in timesheets])],
            }
        ]
        if overage:
            # The tickets (or tasks) whose time went beyond the block, one a line.
            by_origin = defaultdict(float)
            for ts in sorted(
                timesheets, key=lambda t: (t.ticket_id.number or "", t.id)
            ):
                if ts.msp_overage_hours:
                    origin = (
                        self._msp_ticket_label(ts.ticket_id)
                        or ts.task_id.with_env(self.env).display_name
                        or self.env._("Time without a ticket")
                    )
                    by_origin[origin] += ts.msp_overage_hours
            tickets = [
                self.env._(
                    "%(ticket)s: %(hours)s h",
                    ticket=origin,
                    hours=self._msp_quantity_label(hours),
                )
                for origin, hours in by_origin.items()
            ]
            label = self.env._(
                "Overage, %(period)s: %(hours)s h beyond the block × %(rate)s",
                period=self._period_label(date_from, date_to),
                hours=self._msp_quantity_label(overage),
                rate=self._msp_amount_label(self.overage_rate),
            )
            lines.append(
                {
                    "product_id": product.id,
                    "name": "\n".join([label, *tickets]),
                    "quantity": overage,
                    "price_unit": self.overage_rate,
                    "start_date": date_from,
                    "end_date": date_to,
                    "msp_line_kind": "overage",
                }
            )
        return lines

    # ------------------------------------------------------------------
    # The invoice
    # ------------------------------------------------------------------
    def _prepare_invoice_vals(self, due, lines, run=None):
        self.ensure_one()
        if not self.journal_id:
            raise UserError(
                self.env._(
                    "%(agreement)s has no sales journal.", agreement=self.display_name
                )
            )
        total = sum(line["quantity"] * line["price_unit"] for line in lines)
        move_type = "out_invoice"
        if self.currency_id.compare_amounts(total, 0.0) < 0:
            # More credited than charged: a credit note.
            move_type = "out_refund"
            lines = [dict(line, quantity=-line["quantity"]) for line in lines]
        return {
            "move_type": move_type,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "journal_id": self.journal_id.id,
            "invoice_date": due[-1][2],
            "invoice_payment_term_id": self.payment_term_id.id,
            "invoice_origin": self.name,
            "ref": self.client_order_ref,
            "invoice_user_id": self.user_id.id,
            "msp_agreement_id": self.id,
            "msp_billing_run_id": run.id if run else False,
            "invoice_line_ids": [
                Command.create(line)
                for line in self._msp_with_sections(
                    [dict(line, msp_agreement_id=self.id) for line in lines]
                )
            ],
        }

    def _msp_with_sections(self, lines, force=False):
        """``lines`` (values of invoice lines, each with its ``msp_agreement_id``)
        under a section per service period (the billing period of the line's
        agreement that holds its start date), when they cover more than one
        period or ``force`` (a consolidated invoice). Sections are named in the
        language of the first line's client."""
        keyed, period_of = [], {}
        for line in lines:
            if line.get("display_type") in ("line_section", "line_note"):
                continue
            key = (line["msp_agreement_id"], line["start_date"])
            if key not in period_of:
                period_of[key] = self.browse(key[0])._period_containing(key[1])
            keyed.append((period_of[key], line))
        keys = sorted({key for key, _line in keyed})
        if not keyed or (len(keys) < 2 and not force):
            return [line for _key, line in keyed]
        client = self.browse(keyed[0][1]["msp_agreement_id"])._msp_client()
        result = []
        for key in keys:
            result.append(
                {
                    "display_type": "line_section",
                    "name": client.env._(
                        "Service period: %(period)s",
                        period=client._period_label(*key),
                    ),
                }
            )
            result += [line for line_key, line in keyed if line_key == key]
        return [dict(line, sequence=i) for i, line in enumerate(result, 1)]


def _group_by_value(mapping):
    """{value: [keys]} of a mapping."""
    groups = defaultdict(list)
    for key, value in mapping.items():
        groups[value].append(key)
    return groups
