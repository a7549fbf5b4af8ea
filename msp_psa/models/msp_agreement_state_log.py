# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import labels
from .msp_agreement import STATES


class MspAgreementStateLog(models.Model):
    """Dated log of an agreement's state: from ``date`` on, it is ``state``.

    Written by the system when an agreement is created or changes state, so
    the MRR of any past month can be computed again (``msp.mrr.month``).
    """

    _name = "msp.agreement.state.log"
    _description = "MSP Agreement State Change"
    _order = "date desc, id desc"
    _rec_name = "agreement_id"

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    state = fields.Selection(STATES, required=True)
    user_id = fields.Many2one(
        "res.users", string="Changed By", default=lambda self: self.env.user
    )

    @api.depends("agreement_id.name", "state", "date")
    def _compute_display_name(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for entry in self:
            entry.display_name = self.env._(
                "%(agreement)s: %(state)s from %(date)s",
                agreement=entry.agreement_id.name or "",
                state=states.get(entry.state, ""),
                date=labels.fmt_date(entry.date) if entry.date else "",
            )
