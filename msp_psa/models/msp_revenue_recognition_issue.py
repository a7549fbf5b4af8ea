# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import labels
from .msp_revenue_schedule_line import RECOGNITION_KINDS


class MspRevenueRecognitionIssue(models.Model):
    """A recognition entry the daily run could not post, and why.

    One per entry that fails (company, journal, month and kind) until it is
    posted: each run tries its months again and, while they fail, updates the
    message and counts the attempt. Once none of its months is still deferred
    (posted, or cancelled with their invoice), it is resolved.
    """

    _name = "msp.revenue.recognition.issue"
    _description = "MSP Revenue Recognition Failure"
    _order = "state, date desc, id desc"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal", string="Recognition Journal", readonly=True
    )
    date = fields.Date(
        string="Month",
        required=True,
        readonly=True,
        help="Month end the revenue belongs to (or, for a reversal, its day).",
    )
    kind = fields.Selection(RECOGNITION_KINDS, required=True, readonly=True)
    message = fields.Text(required=True, readonly=True)
    attempt_count = fields.Integer(string="Attempts", default=1, readonly=True)
    date_last_attempt = fields.Datetime(
        string="Last Attempt", default=fields.Datetime.now, readonly=True
    )
    line_ids = fields.One2many(
        "msp.revenue.schedule.line",
        "recognition_issue_id",
        string="Months",
        readonly=True,
    )
    amount = fields.Monetary(
        string="Still Deferred",
        compute="_compute_state",
        store=True,
        help="What the months of this failure still hold back.",
    )
    state = fields.Selection(
        [("open", "To Fix"), ("resolved", "Resolved")],
        compute="_compute_state",
        store=True,
        index=True,
    )

    schedule_count = fields.Integer(compute="_compute_schedule_count")

    @api.depends("kind", "date", "journal_id.name")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for issue in self:
            issue.display_name = self.env._(
                "%(kind)s of %(month)s not posted (%(journal)s)",
                kind=kinds.get(issue.kind, ""),
                month=labels.fmt_month(issue.date) if issue.date else "",
                journal=issue.journal_id.name or "",
            )

    @api.depends("line_ids.schedule_id")
    def _compute_schedule_count(self):
        for issue in self:
            issue.schedule_count = len(issue.line_ids.schedule_id)

    @api.depends("line_ids.state", "line_ids.amount")
    def _compute_state(self):
        for issue in self:
            planned = issue.line_ids.filtered(lambda line: line.state == "planned")
            issue.amount = sum(planned.mapped("amount"))
            issue.state = "open" if planned else "resolved"

    @api.model
    def _log_failure(self, key, lines, error):
        """Record that the entry of ``key`` (company, journal, date, kind) failed
        for ``lines``: the open failure of that entry, or a new one."""
        company, journal, day, kind = key
        message = error.args[0] if isinstance(error, UserError) else repr(error)
        Issue = self.sudo()  # the recognition's own log, written by the engine
        issue = Issue.search(
            [
                ("company_id", "=", company.id),
                ("journal_id", "=", journal.id),
                ("date", "=", day),
                ("kind", "=", kind),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        if issue:
            issue.write(
                {
                    "message": message,
                    "attempt_count": issue.attempt_count + 1,
                    "date_last_attempt": fields.Datetime.now(),
                }
            )
        else:
            issue = Issue.create(
                {
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "date": day,
                    "kind": kind,
                    "message": message,
                }
            )
        lines.sudo().write({"recognition_issue_id": issue.id})
        return issue

    def action_view_schedules(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_revenue_schedule_action"
        )
        action["domain"] = [("id", "in", self.line_ids.schedule_id.ids)]
        action["context"] = {}
        return action
