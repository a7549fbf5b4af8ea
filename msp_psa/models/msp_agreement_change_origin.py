# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError

# A renewal proposal's state → the agreement's renewal status ("undecided": back
# to auto-renewing or to review, as the agreement's auto-renew says).
RENEWAL_STATUS_BY_STATE = {
    "sent": "proposal_sent",
    "accepted": "accepted",
    "applied": "undecided",
    "declined": "undecided",
    "expired": "undecided",
    "cancel": "undecided",
}


class MspAgreementChange(models.Model):
    """Where change orders come from: a renewal proposal follows the
    agreement's renewal status, a usage signal points at the change order it
    suggested."""

    _inherit = "msp.agreement.change"

    signal_ids = fields.One2many(
        "msp.usage.signal", "change_id", string="Usage Signals", readonly=True
    )

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self._msp_sync_renewal_status()
        return result

    def _msp_sync_renewal_status(self):
        """Sent: the renewal proposal is out; signed: the renewal is accepted
        (so the nightly renewal renews instead of expiring the agreement on
        the day after its term); applied, declined, expired: undecided again,
        for the next term."""
        for change in self.filtered(lambda c: c.origin == "renewal"):
            status = RENEWAL_STATUS_BY_STATE.get(change.state)
            if not status:
                continue
            agreement = change.agreement_id.sudo()
            if status == "undecided":
                status = "auto" if agreement.auto_renew else "to_review"
            if agreement.renewal_status != status:
                agreement.renewal_status = status


class MspUsageSignal(models.Model):
    _inherit = "msp.usage.signal"

    change_id = fields.Many2one(
        "msp.agreement.change", string="Change Order", readonly=True, copy=False
    )

    def action_create_change_order(self):
        """The change order this signal suggests (more seats, a bigger
        block), as a draft for the account manager to review and send."""
        self.ensure_one()
        if self.change_id:
            return self.change_id._get_records_action()
        vals = self._prepare_change_vals()
        if not vals["line_ids"]:
            raise UserError(
                self.env._(
                    "Signal %(signal)s suggests no change to the agreement's "
                    "services; create an opportunity to discuss it with the "
                    "client instead.",
                    signal=self.display_name,
                )
            )
        self.change_id = self.env["msp.agreement.change"].create(vals)
        return self.change_id._get_records_action()
