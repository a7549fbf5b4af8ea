# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

# Percent measures: (numerator, denominator) columns summed over the group.
RATIOS = {
    "utilisation_percent": ("client_hours", "capacity_hours"),
    "billable_percent": ("billable_hours", "capacity_hours"),
    "utilisation_target": ("utilisation_target_hours", "capacity_hours"),
    "billable_target": ("billable_target_hours", "capacity_hours"),
}


class MspUtilisationReport(models.Model):
    """Utilisation and billable % per technician and day, to group by
    technician, department, week or month.

    Capacity comes from ``msp.technician.capacity`` (calendar − public
    holidays − approved leave); hours from the timesheet lines and their stored
    billing decisions: client work is every hour with a decision (covered,
    prepaid, overage, billable, non-billable) or left undecided, billable is
    prepaid + overage + billable (time & materials). A percentage of a group is
    its summed hours ÷ its summed capacity, never an average of daily ratios;
    targets are weighted by capacity the same way.
    """

    _name = "msp.utilisation.report"
    _inherit = ["msp.ratio.report.mixin"]
    _ratio_fields = RATIOS
    _description = "MSP Technician Utilisation"
    _auto = False
    _rec_name = "employee_id"
    _order = "date desc"

    date = fields.Date(readonly=True)
    employee_id = fields.Many2one("hr.employee", string="Technician", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    department_id = fields.Many2one(
        "hr.department", string="Team (Department)", readonly=True
    )
    job_id = fields.Many2one("hr.job", string="Job Position", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    capacity_hours = fields.Float(string="Capacity (h)", readonly=True)
    calendar_hours = fields.Float(string="Calendar (h)", readonly=True)
    leave_hours = fields.Float(string="Leave (h)", readonly=True)
    holiday_hours = fields.Float(string="Public Holidays (h)", readonly=True)
    logged_hours = fields.Float(string="Logged (h)", readonly=True)
    client_hours = fields.Float(string="Client Work (h)", readonly=True)
    billable_hours = fields.Float(string="Billable or Prepaid (h)", readonly=True)
    utilisation_percent = fields.Float(
        string="Utilisation (%)",
        readonly=True,
        aggregator="avg",
        help="Hours of client work ÷ capacity.",
    )
    billable_percent = fields.Float(
        string="Billable (%)",
        readonly=True,
        aggregator="avg",
        help="Hours decided billable or prepaid (overage included) ÷ capacity.",
    )
    utilisation_target = fields.Float(
        string="Utilisation Target (%)", readonly=True, aggregator="avg"
    )
    billable_target = fields.Float(
        string="Billable Target (%)", readonly=True, aggregator="avg"
    )
    utilisation_target_hours = fields.Float(readonly=True)
    billable_target_hours = fields.Float(readonly=True)
    no_calendar = fields.Boolean(
        readonly=True,
        help="The technician has no working calendar: no capacity to count.",
    )
    logged_on_leave = fields.Boolean(
        string="Time Logged on Leave",
        readonly=True,
        help="Time logged on a day of approved leave or public holiday.",
    )
    flag_count = fields.Integer(string="Flagged Days", readonly=True)

    def _flush_sql(self):
        """Empty SQL carrying the fields the view reads, so that Odoo flushes
        them (stored billing splits, capacity rows, targets) before it runs."""
        read = {
            "account.analytic.line": [
                "employee_id",
                "date",
                "unit_amount",
                "project_id",
                "msp_covered_hours",
                "msp_prepaid_hours",
                "msp_overage_hours",
                "msp_billable_hours",
                "msp_non_billable_hours",
                "msp_undecided_hours",
            ],
            "msp.technician.capacity": [
                "employee_id",
                "date",
                "capacity_hours",
                "calendar_hours",
                "leave_hours",
                "holiday_hours",
                "no_calendar",
            ],
            "hr.employee": [
                "msp_technician",
                "msp_utilisation_target",
                "msp_billable_target",
                "job_id",
                "user_id",
            ],
            "hr.job": ["msp_utilisation_target", "msp_billable_target"],
        }
        return SQL(
            "%s" * sum(len(names) for names in read.values()),
            *(
                SQL("", to_flush=self.env[model]._fields[name])
                for model, names in read.items()
                for name in names
            ),
        )

    @property
    def _table_query(self):
        return SQL(
            """%s
            WITH timesheet AS (
                SELECT line.employee_id,
                       line.date,
                       SUM(line.unit_amount) AS logged_hours,
                       SUM(COALESCE(line.msp_covered_hours, 0)
                           + COALESCE(line.msp_prepaid_hours, 0)
                           + COALESCE(line.msp_overage_hours, 0)
                           + COALESCE(line.msp_billable_hours, 0)
                           + COALESCE(line.msp_non_billable_hours, 0)
                           + COALESCE(line.msp_undecided_hours, 0)) AS client_hours,
                       SUM(COALESCE(line.msp_prepaid_hours, 0)
                           + COALESCE(line.msp_overage_hours, 0)
                           + COALESCE(line.msp_billable_hours, 0)) AS billable_hours
                  FROM account_analytic_line line
                  JOIN hr_employee emp ON emp.id = line.employee_id
                 WHERE line.project_id IS NOT NULL AND emp.msp_technician
                 GROUP BY line.employee_id, line.date
            ), days AS (
                SELECT COALESCE(c.employee_id, t.employee_id) AS employee_id,
                       COALESCE(c.date, t.date) AS date,
                       COALESCE(c.capacity_hours, 0) AS capacity_hours,
                       COALESCE(c.calendar_hours, 0) AS calendar_hours,
                       COALESCE(c.leave_hours, 0) AS leave_hours,
                       COALESCE(c.holiday_hours, 0) AS holiday_hours,
                       COALESCE(c.no_calendar, emp.resource_calendar_id IS NULL)
                           AS no_calendar,
                       COALESCE(t.logged_hours, 0) AS logged_hours,
                       COALESCE(t.client_hours, 0) AS client_hours,
                       COALESCE(t.billable_hours, 0) AS billable_hours
                  FROM msp_technician_capacity c
                  FULL OUTER JOIN timesheet t
                    ON t.employee_id = c.employee_id AND t.date = c.date
                  JOIN hr_employee emp
                    ON emp.id = COALESCE(c.employee_id, t.employee_id)
            )
            SELECT ROW_NUMBER() OVER (ORDER BY d.employee_id, d.date) AS id,
                   d.date, d.employee_id, emp.user_id, emp.department_id,
                   emp.job_id, emp.company_id,
                   d.capacity_hours, d.calendar_hours, d.leave_hours,
                   d.holiday_hours, d.logged_hours, d.client_hours,
                   d.billable_hours,
                   CASE WHEN d.capacity_hours > 0
                        THEN 100.0 * d.client_hours / d.capacity_hours END
                       AS utilisation_percent,
                   CASE WHEN d.capacity_hours > 0
                        THEN 100.0 * d.billable_hours / d.capacity_hours END
                       AS billable_percent,
                   COALESCE(NULLIF(emp.msp_utilisation_target, 0),
                            job.msp_utilisation_target, 0) AS utilisation_target,
                   COALESCE(NULLIF(emp.msp_billable_target, 0),
                            job.msp_billable_target, 0) AS billable_target,
                   d.capacity_hours * COALESCE(NULLIF(emp.msp_utilisation_target, 0),
                            job.msp_utilisation_target, 0) / 100.0
                       AS utilisation_target_hours,
                   d.capacity_hours * COALESCE(NULLIF(emp.msp_billable_target, 0),
                            job.msp_billable_target, 0) / 100.0
                       AS billable_target_hours,
                   d.no_calendar,
                   (d.logged_hours > 0
                    AND (d.leave_hours > 0 OR d.holiday_hours > 0)) AS logged_on_leave,
                   CASE WHEN d.no_calendar
                          OR (d.logged_hours > 0
                              AND (d.leave_hours > 0 OR d.holiday_hours > 0))
                        THEN 1 ELSE 0 END AS flag_count
              FROM days d
              JOIN hr_employee emp ON emp.id = d.employee_id
              LEFT JOIN hr_job job ON job.id = emp.job_id
             -- Days to come have capacity but no time yet: not counted.
             WHERE d.date <= CURRENT_DATE
            """,
            self._flush_sql(),
        )
