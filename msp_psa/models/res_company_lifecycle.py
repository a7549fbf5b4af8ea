# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import renewals as renewal_tools


class ResCompany(models.Model):
    """Renewal reminders and usage-signal thresholds of a company."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    msp_renewal_steps = fields.Char(
        string="Renewal Reminders",
        default=renewal_tools.DEFAULT_STEPS,
        help="Days before an agreement's renewal decision date on which its account "
        "manager gets an activity, separated by commas (e.g. 90,60,30). Empty: no "
        "reminders.",
    )
    msp_signal_growth_pct = fields.Float(
        string="Growth Signal (%)",
        default=20.0,
        help="A counted or manual quantity up by this share or more over 90 days "
        "raises a growth signal.",
    )
    msp_signal_burn_days = fields.Integer(
        string="Block Burn Signal (days)",
        default=7,
        help="Block hours projected to run out this many days or more before their "
        "period ends (hours left ÷ the last 30 days' burn rate) raise a signal.",
    )

    @api.constrains(
        "msp_renewal_steps", "msp_signal_growth_pct", "msp_signal_burn_days"
    )
    def _check_msp_lifecycle_settings(self):
        for company in self:
            try:
                renewal_tools.parse_steps(company.msp_renewal_steps)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Renewal reminders: %(value)s is not a number of days. Give "
                        "whole days separated by commas, e.g. 90,60,30.",
                        value=str(error),
                    )
                ) from error
            if company.msp_signal_growth_pct <= 0:
                raise ValidationError(
                    self.env._(
                        "The growth signal threshold must be above 0 %% (%(value)s).",
                        value=company.msp_signal_growth_pct,
                    )
                )
            if company.msp_signal_burn_days < 0:
                raise ValidationError(
                    self.env._(
                        "The block burn signal cannot be a negative number of days "
                        "(%(value)s).",
                        value=company.msp_signal_burn_days,
                    )
                )

    def _msp_renewal_steps(self):
        self.ensure_one()
        try:
            return renewal_tools.parse_steps(self.msp_renewal_steps)
        except ValueError:
            return renewal_tools.parse_steps(renewal_tools.DEFAULT_STEPS)
