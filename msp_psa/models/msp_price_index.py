# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class MspPriceIndex(models.Model):
    """A price index series the accountant keeps (e.g. a consumer price
    index): dated values, without a currency. Agreements with an index rule
    escalate by the ratio of its values a year apart."""

    _name = "msp.price.index"
    _description = "MSP Price Index"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: shared by every company."
    )
    description = fields.Text(
        help="Where the values come from (publisher, series, base year)."
    )
    value_ids = fields.One2many("msp.price.index.value", "index_id", string="Values")
    value_count = fields.Integer(compute="_compute_latest")
    latest_date = fields.Date(string="Latest Value On", compute="_compute_latest")
    latest_value = fields.Float(compute="_compute_latest", digits=(16, 4))

    _sql_constraints = [
        (
            "name_uniq",
            "unique(name, company_id)",
            "A price index with this name exists.",
        ),
    ]

    def _compute_latest(self):
        stats = {
            index: (count, last)
            for index, count, last in self.env["msp.price.index.value"]._read_group(
                [("index_id", "in", self.ids)], ["index_id"], ["__count", "date:max"]
            )
        }
        latest = {}
        if stats:
            for value in self.env["msp.price.index.value"].search(
                [
                    ("index_id", "in", self.ids),
                    ("date", "in", [last for _count, last in stats.values()]),
                ]
            ):
                if value.date == stats[value.index_id][1]:
                    latest[value.index_id] = value.value
        for index in self:
            count, last = stats.get(index, (0, False))
            index.value_count = count
            index.latest_date = last
            index.latest_value = latest.get(index, 0.0)

    def action_view_values(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_price_index_value_action"
        )
        action["domain"] = [("index_id", "=", self.id)]
        action["context"] = {"default_index_id": self.id}
        return action

    def _read_series(self, date_to=None):
        """{index id: [(date, value)] sorted by date} of these indexes, values
        dated up to ``date_to`` (None: all), in one read."""
        domain = [("index_id", "in", self.ids)]
        if date_to:
            domain.append(("date", "<=", date_to))
        series = {index.id: [] for index in self}
        if not self.ids:
            return series
        rows = (
            self.env["msp.price.index.value"]
            .sudo()
            .search_fetch(domain, ["index_id", "date", "value"], order="index_id, date")
        )
        for row in rows:
            series[row.index_id.id].append((row.date, row.value))
        return series
