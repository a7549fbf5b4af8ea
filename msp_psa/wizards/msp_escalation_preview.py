# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from ..tools import labels


class MspEscalationPreview(models.TransientModel):
    """Dry run of the price escalations: every escalation due in a window
    with its prices before and after and the MRR impact, computed exactly as
    the nightly action would, nothing written; **Apply** (managers) applies
    those already due."""

    _name = "msp.escalation.preview"
    _description = "MSP Price Escalation Dry Run"

    date_from = fields.Date(
        string="From", required=True, default=fields.Date.context_today
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=60),
    )
    agreement_ids = fields.Many2many(
        "msp.agreement",
        string="Agreements",
        domain="[('escalation_rule', '!=', 'none')]",
        help="Empty: every agreement with a price escalation rule.",
    )
    line_ids = fields.One2many(
        "msp.escalation.preview.line", "preview_id", string="Escalations", readonly=True
    )
    due_count = fields.Integer(compute="_compute_due_count")

    @api.depends("line_ids.due", "line_ids.applicable")
    def _compute_due_count(self):
        for preview in self:
            preview.due_count = len(
                preview.line_ids.filtered(lambda x: x.due and x.applicable)
            )

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for preview in self:
            preview.display_name = self.env._(
                "Price escalations from %(date_from)s to %(date_to)s",
                date_from=labels.fmt_date(preview.date_from)
                if preview.date_from
                else "",
                date_to=labels.fmt_date(preview.date_to) if preview.date_to else "",
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for preview in self:
            if preview.date_to < preview.date_from:
                raise UserError(
                    self.env._(
                        "The window ends (%(date_to)s) before it starts "
                        "(%(date_from)s).",
                        date_to=preview.date_to,
                        date_from=preview.date_from,
                    )
                )

    def _get_agreements(self):
        self.ensure_one()
        if self.agreement_ids:
            return self.agreement_ids
        return self.env["msp.agreement"].search(
            [
                ("escalation_rule", "!=", "none"),
                ("state", "in", ("active", "suspended", "expired")),
                ("escalation_date_next", "<=", self.date_to),
            ]
        )

    def _compute_lines(self):
        """The lines of the window, from the same plan the nightly action
        applies (``msp.agreement._msp_escalation_steps``)."""
        self.ensure_one()
        agreements = self._get_agreements()
        series = agreements.escalation_index_id._read_series(self.date_to)
        plan = agreements._msp_escalation_steps(self.date_to, series, self.date_from)
        today = fields.Date.context_today(self)
        reasons = dict(
            self.env["msp.agreement.escalation"]
            ._fields["reason"]
            ._description_selection(self.env)
        )
        vals_list = []
        for agreement, steps in plan.items():
            currency = agreement.currency_id
            for step in steps:
                prices = "\n".join(
                    self.env._(
                        "%(price)s: %(old)s → %(new)s",
                        price=addition.display_name
                        if addition
                        else dict(
                            self.env["msp.agreement.escalation.line"]
                            ._fields["component"]
                            ._description_selection(self.env)
                        )[component],
                        old=formatLang(self.env, old, currency_obj=currency),
                        new=formatLang(self.env, new, currency_obj=currency),
                    )
                    for component, addition, old, new in step["lines"]
                )
                reason = reasons.get(step["reason"], "")
                if step["reason_note"]:
                    reason = f"{reason}: {step['reason_note']}"
                vals_list.append(
                    {
                        "preview_id": self.id,
                        "agreement_id": agreement.id,
                        "anniversary": step["anniversary"],
                        "percent": step["percent"],
                        "prices": prices,
                        "mrr_old": step["mrr_old"],
                        "mrr_new": step["mrr_new"],
                        "applicable": not step["reason"],
                        "reason": reason or False,
                        "due": step["anniversary"] <= today,
                    }
                )
        self.line_ids.unlink()
        self.env["msp.escalation.preview.line"].create(vals_list)

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_preview(self):
        self._compute_lines()
        return self._reopen()

    def action_apply(self):
        """Apply the escalations of the window already due (managers only);
        those still to come are applied by the nightly action on their date."""
        self.ensure_one()
        self.env["msp.agreement"]._msp_check_escalation_manager()
        today = fields.Date.context_today(self)
        if self.date_from > today:
            raise UserError(
                self.env._(
                    "Nothing in this window is due yet (it starts on %(date)s): "
                    "escalations apply on their date.",
                    date=self.date_from,
                )
            )
        self._compute_lines()
        due = self.line_ids.filtered(lambda x: x.due and x.applicable).agreement_id
        if not due:
            raise UserError(self.env._("No escalation of this window can apply today."))
        self.env["msp.agreement"].sudo()._cron_apply_escalations(
            date_ref=min(today, self.date_to), agreement_ids=due.ids
        )
        self._compute_lines()
        return self._reopen()
