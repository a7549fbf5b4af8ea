# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import format_date


class MspAgreementRenewalStep(models.Model):
    """A renewal reminder given: one row per agreement, term and step, unique
    in the database, so a reminder is given once however often the nightly
    action runs (``msp.agreement._create_renewal_reminders``)."""

    _name = "msp.agreement.renewal.step"
    _description = "MSP Renewal Reminder"
    _order = "date desc, id desc"

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    term_end = fields.Date(
        required=True, readonly=True, help="Last day of the term reminded about."
    )
    step_days = fields.Integer(
        string="Days Before Decision", required=True, readonly=True
    )
    date = fields.Date(string="Reminded On", required=True, readonly=True)

    _sql_constraints = [
        (
            "agreement_term_step_uniq",
            "unique(agreement_id, term_end, step_days)",
            "This renewal reminder was already given.",
        ),
    ]

    @api.depends("agreement_id", "step_days", "term_end")
    def _compute_display_name(self):
        for step in self:
            step.display_name = self.env._(
                "%(agreement)s: %(days)s-day reminder of the term ending %(end)s",
                agreement=step.agreement_id.display_name,
                days=step.step_days,
                end=format_date(self.env, step.term_end),
            )
