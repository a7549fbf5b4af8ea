# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import billing


class MspAgreementPeriod(models.Model):
    """A billing period of an agreement that has been invoiced.

    The database guarantees a period is invoiced at most once: one row per
    agreement and period start. Cancelling or deleting the invoice deletes
    the row, which releases the period for the next run.
    """

    _name = "msp.agreement.period"
    _description = "MSP Agreement Billed Period"
    _order = "agreement_id, date_start"
    _rec_name = "date_start"

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="agreement_id.company_id", store=True)
    date_start = fields.Date(required=True)
    date_end = fields.Date(required=True)
    invoice_date = fields.Date(required=True)
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        ondelete="cascade",
        index="btree_not_null",
        help="Empty when the period had nothing to invoice.",
    )
    run_id = fields.Many2one(
        "msp.billing.run", ondelete="set null", index="btree_not_null"
    )

    _sql_constraints = [
        (
            "agreement_period_uniq",
            "unique(agreement_id, date_start)",
            "This period of the agreement has already been invoiced.",
        ),
        (
            "dates_order",
            "CHECK(date_end >= date_start)",
            "A period ends after it starts.",
        ),
    ]

    @api.depends("agreement_id.name", "date_start", "date_end")
    def _compute_display_name(self):
        for period in self:
            period.display_name = self.env._(
                "%(agreement)s, %(period)s",
                agreement=period.agreement_id.name or "",
                period=billing.format_range(period.date_start, period.date_end)
                if period.date_start and period.date_end
                else "",
            )
