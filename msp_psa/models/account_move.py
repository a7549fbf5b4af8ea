# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    msp_agreement_id = fields.Many2one(
        "msp.agreement",
        string="MSP Agreement",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        check_company=True,
    )
    msp_billing_run_id = fields.Many2one(
        "msp.billing.run",
        string="MSP Billing Run",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
    )
    msp_period_ids = fields.One2many(
        "msp.agreement.period", "move_id", string="MSP Billed Periods", readonly=True
    )
    msp_review_needed = fields.Boolean(
        string="To Review",
        copy=False,
        readonly=True,
        help="Something changed since the client's previous invoice that deserves "
        "a look.",
    )
    msp_review_note = fields.Text(
        string="Changes Since Previous Invoice", copy=False, readonly=True
    )

    def _msp_release(self):
        """Give the periods and the time these invoices billed back to billing."""
        moves = self.filtered("msp_agreement_id")
        if not moves:
            return
        periods = moves.sudo().msp_period_ids
        first_start = {}
        for period in periods:
            agreement = period.agreement_id
            first_start[agreement] = min(
                first_start.get(agreement, period.date_start), period.date_start
            )
        periods.unlink()
        moves.sudo().line_ids.msp_timesheet_ids.write({"msp_invoice_line_id": False})
        for agreement, start in first_start.items():
            if not agreement.next_period_start or start < agreement.next_period_start:
                agreement.sudo().next_period_start = start

    def _get_mail_template(self):
        if all(
            move.msp_agreement_id and move.move_type == "out_invoice" for move in self
        ):
            return self.env.ref("msp_psa.mail_template_msp_invoice")
        return super()._get_mail_template()

    def _msp_send(self):
        """Email posted invoices to their clients in the background (Odoo's send
        cron)."""
        moves = self.filtered(lambda m: m.state == "posted")
        if not moves:
            return
        moves.sending_data = {
            "author_user_id": self.env.user.id,
            "author_partner_id": self.env.user.partner_id.id,
        }
        self.env.ref("account.ir_cron_account_move_send")._trigger()

    def _msp_compute_review(self):
        """Say, per invoice, what changed since the agreement's previous invoice and
        flag what deserves a look: a first invoice, a quantity change over 20 %, a new
        or ended addition, a price change, hours beyond the block, no billable time on
        a time & materials agreement."""
        moves = self.filtered("msp_agreement_id")
        if not moves:
            return
        earlier = self.env["msp.agreement.period"].search(
            [
                ("agreement_id", "in", moves.msp_agreement_id.ids),
                ("move_id", "!=", False),
                ("move_id", "not in", moves.ids),
                ("move_id.state", "!=", "cancel"),
            ],
            order="date_start desc",
        )
        previous = {}
        for period in earlier:
            previous.setdefault(period.agreement_id, period.move_id)
        for move in moves:
            agreement = move.msp_agreement_id
            prev = previous.get(agreement)
            notes, flag = [], False
            current = move._msp_addition_summary()
            if not prev:
                notes.append(self.env._("First invoice of this agreement."))
                flag = True
            else:
                before = prev._msp_addition_summary()
                for addition in before.keys() | current.keys():
                    old_qty, old_price = before.get(addition, (None, None))
                    new_qty, new_price = current.get(addition, (None, None))
                    if old_qty is None:
                        notes.append(
                            self.env._("New: %(name)s.", name=addition.product_id.name)
                        )
                        flag = True
                        continue
                    if new_qty is None:
                        notes.append(
                            self.env._(
                                "Ended: %(name)s.", name=addition.product_id.name
                            )
                        )
                        flag = True
                        continue
                    if old_qty != new_qty:
                        change = (new_qty - old_qty) / old_qty if old_qty else 1.0
                        source = dict(
                            addition._fields["quantity_source"]._description_selection(
                                self.env
                            )
                        )[addition.quantity_source]
                        notes.append(
                            self.env._(
                                "%(name)s: %(old)s → %(new)s (%(pct)s %%, %(origin)s).",
                                name=addition.product_id.name,
                                old=f"{old_qty:g}",
                                new=f"{new_qty:g}",
                                pct=f"{change * 100:+.0f}",
                                origin=source.lower(),
                            )
                        )
                        flag = flag or abs(change) > 0.2
                    if old_price != new_price:
                        notes.append(
                            self.env._(
                                "%(name)s: price %(old)s → %(new)s.",
                                name=addition.product_id.name,
                                old=f"{old_price:.2f}",
                                new=f"{new_price:.2f}",
                            )
                        )
                        flag = True
            lines = move.invoice_line_ids
            prorated = lines.filtered(
                lambda line: (
                    line.msp_line_kind == "addition"
                    and line.quantity in (1.0, -1.0)
                    and abs(line.msp_billed_quantity) != 1.0
                )
            )
            if prorated:
                notes.append(
                    self.env._("%(count)s prorated line(s).", count=len(prorated))
                )
            overage = lines.filtered(lambda line: line.msp_line_kind == "overage")
            if overage:
                notes.append(
                    self.env._(
                        "Block hours exhausted: %(hours)s h of overage.",
                        hours=f"{sum(overage.mapped('quantity')):g}",
                    )
                )
                flag = True
            if agreement.billing_model == "time_materials" and not lines.filtered(
                lambda line: line.msp_line_kind == "time"
            ):
                notes.append(self.env._("No billable time in this invoice."))
                flag = True
            move.write(
                {
                    "msp_review_needed": flag,
                    "msp_review_note": "\n".join(notes)
                    or self.env._("No change since the previous invoice."),
                }
            )

    def _msp_addition_summary(self):
        """{addition: (quantity, monthly price)} billed from this invoice's first
        period start."""
        self.ensure_one()
        start = min(self.msp_period_ids.mapped("date_start"), default=None)
        summary = {}
        for line in self.invoice_line_ids:
            if line.msp_line_kind != "addition" or not start:
                continue
            if line.start_date <= start <= line.end_date:
                quantity, _price = summary.get(line.msp_addition_id, (0.0, 0.0))
                summary[line.msp_addition_id] = (
                    quantity + line.msp_billed_quantity,
                    line.msp_unit_price,
                )
        return summary

    def button_cancel(self):
        res = super().button_cancel()
        self._msp_release()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_msp_release(self):
        self._msp_release()
