# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

SEQUENCE_CODE = "helpdesk.ticket.sequence"


# One concern per file, on purpose (issue 16): tickets created together are
# numbered together.
class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        self._msp_number_batch(vals_list)
        return super().create(vals_list)

    @api.model
    def _msp_number_batch(self, vals_list):
        """Number the tickets of one ``create`` with one query per company,
        where helpdesk_mgmt draws each number with its own sequence lookup and
        ``nextval`` (``_prepare_ticket_number``): the sequence ``next_by_code``
        would use, its numbers drawn together and formatted by the sequence
        itself (``get_next_char``). A sequence without gaps or by date range,
        or a single ticket, is left to helpdesk_mgmt."""
        todo = {}
        for vals in vals_list:
            if vals.get("number", "/") == "/":
                company = vals.get("company_id") or self.env.company.id
                todo.setdefault(company, []).append(vals)
        for company_id, company_vals in todo.items():
            if len(company_vals) < 2:
                continue
            Sequence = self.env["ir.sequence"].with_company(company_id)
            Sequence.browse().check_access("read")
            sequence = Sequence.search(
                [
                    ("code", "=", SEQUENCE_CODE),
                    ("company_id", "in", [company_id, False]),
                ],
                order="company_id",
                limit=1,
            )
            if (
                not sequence
                or sequence.implementation != "standard"
                or sequence.use_date_range
            ):
                continue
            numbers = self.env.execute_query(
                SQL(
                    "SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1",
                    f"ir_sequence_{sequence.id:03d}",
                    len(company_vals),
                )
            )
            for vals, (number,) in zip(company_vals, numbers, strict=True):
                vals["number"] = sequence.get_next_char(number)
