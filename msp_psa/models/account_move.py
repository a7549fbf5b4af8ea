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
        moves = self.sudo().filtered("msp_period_ids")
        if not moves:
            return
        periods = moves.msp_period_ids
        first_start = {}
        for period in periods:
            agreement = period.agreement_id
            first_start[agreement] = min(
                first_start.get(agreement, period.date_start), period.date_start
            )
        periods.unlink()
        moves.line_ids.msp_timesheet_ids.write({"msp_invoice_line_id": False})
        for agreement, start in first_start.items():
            if not agreement.next_period_start or start < agreement.next_period_start:
                agreement.sudo().next_period_start = start

    def _get_mail_template(self):
        if all(
            move.line_ids.msp_agreement_id and move.move_type == "out_invoice"
            for move in self
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

    def button_cancel(self):
        res = super().button_cancel()
        self._msp_release()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_msp_release(self):
        self._msp_release()
