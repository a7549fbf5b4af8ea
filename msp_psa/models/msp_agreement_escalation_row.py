# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools.misc import formatLang

from ..tools import labels

ESCALATION_STATES = [
    ("planned", "Notified"),
    ("applied", "Applied"),
    ("not_applied", "Not Applied"),
]
ESCALATION_REASONS = [
    ("missing_index", "Missing index value"),
    ("zero_index", "Index value of zero"),
    ("suspended", "Agreement suspended"),
    ("expired", "Agreement expired"),
    ("blocked", "An earlier escalation is not applied"),
    ("nothing", "No price to escalate"),
]


class MspAgreementEscalation(models.Model):
    """One anniversary of an agreement's price escalation: the audit row.

    The database holds one row per agreement and anniversary, so that an
    anniversary is applied at most once however often (or however many
    workers) the scheduled action runs. A row is *Notified* when the client
    was told of the coming change, *Applied* with the prices before and after
    (its lines), or *Not Applied* with the reason (retried every night until
    it applies, an expired agreement excepted)."""

    _name = "msp.agreement.escalation"
    _description = "MSP Price Escalation"
    _order = "anniversary desc, id desc"

    agreement_id = fields.Many2one(
        "msp.agreement", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="agreement_id.partner_id", store=True, string="Client"
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    anniversary = fields.Date(required=True, readonly=True)
    state = fields.Selection(
        ESCALATION_STATES, required=True, default="planned", readonly=True, index=True
    )
    reason = fields.Selection(ESCALATION_REASONS, readonly=True)
    reason_note = fields.Char(string="Details", readonly=True)
    rule = fields.Selection(
        [("fixed", "Fixed Percentage"), ("index", "Price Index")], readonly=True
    )
    index_id = fields.Many2one("msp.price.index", readonly=True)
    index_date_now = fields.Date(string="Index Read On", readonly=True)
    index_value_now = fields.Float(string="Index Value", digits=(16, 4), readonly=True)
    index_date_before = fields.Date(string="Index Read a Year Before", readonly=True)
    index_value_before = fields.Float(
        string="Index Value a Year Before", digits=(16, 4), readonly=True
    )
    percent_computed = fields.Float(
        string="Change Before Cap/Floor (%)",
        digits=(16, 6),
        readonly=True,
    )
    percent = fields.Float(string="Change (%)", digits=(16, 6), readonly=True)
    percent_label = fields.Char(
        string="Change", compute="_compute_percent_label", help="E.g. +3.00 %."
    )
    line_ids = fields.One2many(
        "msp.agreement.escalation.line", "escalation_id", string="Prices", readonly=True
    )
    # Amounts in the agreement's currency (``currency_id``, shown with it):
    # floats rounded by the engine, not Monetary fields, whose insert reads
    # the currency record by record (a nightly batch creates thousands).
    mrr_old = fields.Float(string="MRR Before", digits=(16, 6), readonly=True)
    mrr_new = fields.Float(string="MRR After", digits=(16, 6), readonly=True)
    mrr_impact = fields.Float(
        string="MRR Impact", digits=(16, 6), compute="_compute_mrr_impact", store=True
    )
    notice_date = fields.Date(
        string="Client Notified On",
        readonly=True,
        help="When the client was sent the notice of this change (once).",
    )
    user_id = fields.Many2one("res.users", string="Applied By", readonly=True)
    date_applied = fields.Datetime(string="Applied On", readonly=True)

    _sql_constraints = [
        (
            "agreement_anniversary_uniq",
            "unique(agreement_id, anniversary)",
            "This anniversary of the agreement already has its escalation.",
        ),
    ]

    @api.depends_context("lang")
    @api.depends("percent")
    def _compute_percent_label(self):
        # in the reader's language (decimal separator): the notice, the portal
        for row in self:
            sign = "+" if row.percent >= 0 else "-"
            number = formatLang(self.env, abs(row.percent), digits=2)
            row.percent_label = f"{sign}{number}\N{NO-BREAK SPACE}%"

    @api.depends("mrr_old", "mrr_new")
    def _compute_mrr_impact(self):
        for row in self:
            row.mrr_impact = row.mrr_new - row.mrr_old

    @api.depends("agreement_id.name", "anniversary", "state", "percent", "reason")
    def _compute_display_name(self):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for row in self:
            day = labels.fmt_date(row.anniversary) if row.anniversary else ""
            if row.state == "not_applied":
                row.display_name = self.env._(
                    "%(agreement)s, %(date)s: not applied (%(reason)s)",
                    agreement=row.agreement_id.name or "",
                    date=day,
                    reason=reasons.get(row.reason, ""),
                )
            else:
                percent = f"{row.percent:+.2f}"
                row.display_name = self.env._(
                    "%(agreement)s, %(date)s: %(percent)s %%",
                    agreement=row.agreement_id.name or "",
                    date=day,
                    percent=percent,
                )

    def _msp_reason_label(self):
        """The reason in the reader's words, with its details."""
        self.ensure_one()
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        label = reasons.get(self.reason, "")
        return f"{label}: {self.reason_note}" if self.reason_note else label
