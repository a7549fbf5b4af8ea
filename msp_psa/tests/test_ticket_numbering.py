# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import MspHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTicketNumbering(MspHelpdeskCommon):
    """Tickets created together are numbered together, exactly as one by one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.sequence = cls.env["ir.sequence"].search(
            [
                ("code", "=", "helpdesk.ticket.sequence"),
                ("company_id", "in", [cls.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        cls.sequence.write({"prefix": "HT-%(year)s-", "padding": 6})

    def _vals(self, count, **extra):
        return [
            {
                "name": f"Numbered {index}",
                "description": "<p>Numbering</p>",
                "partner_id": self.client.id,
                **extra,
            }
            for index in range(count)
        ]

    def _number(self, value):
        return int(value.rsplit("-", 1)[1])

    def test_batch_numbers_follow_the_sequence_without_gap_or_repeat(self):
        first = self.Ticket.create(self._vals(1))
        batch = self.Ticket.create(self._vals(5))
        after = self.Ticket.create(self._vals(1))
        numbers = [self._number(t.number) for t in first | batch | after]
        start = numbers[0]
        self.assertEqual(numbers, list(range(start, start + 7)))
        # Formatted by the sequence itself: its prefix and padding.
        prefix = self.sequence._get_prefix_suffix()[0]
        for ticket in batch:
            self.assertRegex(ticket.number, rf"^{prefix}\d{{6}}$")
        self.assertEqual(len(set(batch.mapped("number"))), 5)

    def test_batch_draws_the_numbers_itself(self):
        """The numbers come from msp_psa's batch (not helpdesk_mgmt's draw
        per ticket): filled in the values before ``create``, consecutive."""
        vals_list = self._vals(4)
        self.Ticket._msp_number_batch(vals_list)
        numbers = [self._number(vals["number"]) for vals in vals_list]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 4)))
        self.sequence.invalidate_recordset()
        self.assertEqual(self.sequence.number_next_actual, numbers[-1] + 1)
        # A single ticket, and a sequence without gaps, are left as they are.
        single = self._vals(1)
        self.Ticket._msp_number_batch(single)
        self.assertNotIn("number", single[0])
        self.sequence.implementation = "no_gap"
        no_gap = self._vals(2)
        self.Ticket._msp_number_batch(no_gap)
        self.assertFalse([vals for vals in no_gap if "number" in vals])

    def test_given_number_is_kept(self):
        tickets = self.Ticket.create(self._vals(1, number="KEEP-1") + self._vals(2))
        self.assertEqual(tickets[0].number, "KEEP-1")
        self.assertNotEqual(tickets[1].number, tickets[2].number)
        self.assertNotIn("/", tickets[1:].mapped("number"))

    def test_no_gap_sequence_is_left_to_helpdesk(self):
        self.sequence.implementation = "no_gap"
        before = self.sequence.number_next_actual
        tickets = self.Ticket.create(self._vals(3))
        self.assertEqual(
            [self._number(t.number) for t in tickets],
            [before, before + 1, before + 2],
        )
        self.sequence.invalidate_recordset()
        self.assertEqual(self.sequence.number_next_actual, before + 3)
