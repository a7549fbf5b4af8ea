# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import revenue


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
        self.env["msp.agreement.addition"]._msp_settle_again(moves.line_ids)
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

    def unlink(self):
        # Releasing is a side effect, not a check: it belongs here, not in an
        # @api.ondelete method (Odoo keeps those for checks that raise). Should
        # a check refuse the deletion, the transaction rolls the release back.
        self._msp_release()
        return super().unlink()

    # ------------------------------------------------------------------
    # Revenue recognition: a customer invoice or credit note line whose
    # service period reaches beyond the invoice's month books its revenue to
    # the deferred revenue account on posting, and gets a monthly schedule.
    # ------------------------------------------------------------------
    msp_revenue_schedule_ids = fields.One2many(
        "msp.revenue.schedule",
        "move_id",
        string="Revenue Schedules",
        readonly=True,
    )
    msp_revenue_schedule_count = fields.Integer(
        compute="_compute_msp_revenue_schedule_count",
        string="Revenue Schedule Count",
    )

    @api.depends("msp_revenue_schedule_ids")
    def _compute_msp_revenue_schedule_count(self):
        for move in self:
            move.msp_revenue_schedule_count = len(
                move.msp_revenue_schedule_ids.filtered(lambda s: s.state != "cancelled")
            )

    def _msp_revenue_defer_lines(self):
        """Check, on posting, that the lines to defer book their revenue to the
        deferred revenue account (their income account kept on the line), and
        that lines that no longer qualify have their income account back.
        Taxes are untouched.

        Lines computed their account when they were created (see
        ``account.move.line._compute_account_id``), so that the billing
        engine's lines are already right and nothing is written here; only
        lines given an account by hand, or whose invoice date, amount or
        service period changed since, are written."""
        to_defer = {}
        to_restore = self.env["account.move.line"]
        settings_memo = {}
        for move in self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ):
            invoice_month_end = revenue.month_end(
                move.invoice_date or fields.Date.context_today(move)
            )
            for line in move.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            ):
                settings = line._msp_revenue_settings(settings_memo)
                deferred = settings["msp_deferred_revenue_account_id"]
                qualifies = line._msp_revenue_qualifies(
                    settings, invoice_month_end, abs(line.balance)
                )
                if qualifies and not settings["msp_revenue_journal_id"]:
                    raise UserError(
                        self.env._(
                            "%(line)s: set a revenue recognition journal in the "
                            "settings (Deferred Revenue) to defer its revenue.",
                            line=line.display_name,
                        )
                    )
                income = line.msp_revenue_income_account_id
                if qualifies and not income:
                    to_defer.setdefault((line.account_id, deferred), []).append(line.id)
                elif qualifies and line.account_id != deferred:
                    to_defer.setdefault((income, deferred), []).append(line.id)
                elif not qualifies and income:
                    to_restore |= line
        lines = self.env["account.move.line"]
        # Only the account changes: the analytic distribution the user chose is
        # kept (it is recomputed from the account otherwise).
        with self.env.protecting(
            [lines._fields["analytic_distribution"]],
            lines.browse([i for ids in to_defer.values() for i in ids]),
        ):
            for (income, deferred), line_ids in to_defer.items():
                lines.browse(line_ids).write(
                    {
                        "msp_revenue_income_account_id": income.id,
                        "account_id": deferred.id,
                    }
                )
        to_restore._msp_revenue_restore_income_account()

    def _post(self, soft=True):
        self._msp_revenue_defer_lines()
        posted = super()._post(soft=soft)
        lines = posted.line_ids.filtered(
            lambda line: (
                line.msp_revenue_income_account_id and line.parent_state == "posted"
            )
        )
        if lines:
            live = (
                self.env["msp.revenue.schedule"]
                .sudo()
                .search(
                    [("move_line_id", "in", lines.ids), ("state", "!=", "cancelled")]
                )
            )
            lines -= live.move_line_id
            self.env["msp.revenue.schedule"]._create_for_move_lines(lines)
        return posted

    def button_draft(self):
        recognitions = (
            self.env["msp.revenue.schedule.line"]
            .sudo()
            .search([("move_id", "in", self.ids)], limit=1)
        )
        if recognitions:
            raise UserError(
                self.env._(
                    "%(entry)s recognises deferred revenue: it cannot go back to "
                    "draft. Reset or credit the invoice instead; its recognised "
                    "revenue is then reversed.",
                    entry=recognitions.move_id.display_name,
                )
            )
        res = super().button_draft()
        self._msp_revenue_unschedule()
        return res

    def _msp_revenue_unschedule(self):
        schedules = (
            self.env["msp.revenue.schedule"]
            .sudo()
            .search([("move_id", "in", self.ids), ("state", "!=", "cancelled")])
        )
        schedules._cancel_and_reverse(fields.Date.context_today(self))
        self.line_ids.filtered(
            "msp_revenue_income_account_id"
        )._msp_revenue_restore_income_account()

    def action_view_msp_revenue_schedules(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "msp_psa.msp_revenue_schedule_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {}
        return action
