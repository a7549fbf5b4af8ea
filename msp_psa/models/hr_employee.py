# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .hr_job import TARGET_HELP, check_targets


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    msp_technician = fields.Boolean(
        string="Technician",
        groups="hr.group_hr_user,msp_psa.group_msp_psa_manager",
        help="Takes helpdesk tickets: counted in utilisation and offered by the "
        "dispatch suggestion (needs a user).",
    )
    msp_utilisation_target = fields.Float(
        string="Utilisation Target (%)",
        groups="hr.group_hr_user,msp_psa.group_msp_psa_manager",
        help=TARGET_HELP + " Overrides the job position's.",
    )
    msp_billable_target = fields.Float(
        string="Billable Target (%)",
        groups="hr.group_hr_user,msp_psa.group_msp_psa_manager",
        help=TARGET_HELP + " Overrides the job position's.",
    )

    @api.constrains("msp_utilisation_target", "msp_billable_target")
    def _check_msp_targets(self):
        check_targets(self, ("msp_utilisation_target", "msp_billable_target"))

    def _msp_targets(self):
        """{employee id: (utilisation %, billable %)}: the employee's own target,
        else the job position's."""
        return {
            employee.id: (
                employee.msp_utilisation_target
                or employee.job_id.msp_utilisation_target,
                employee.msp_billable_target or employee.job_id.msp_billable_target,
            )
            for employee in self
        }
