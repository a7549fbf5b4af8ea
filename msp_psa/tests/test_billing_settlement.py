# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestBillingSettlement(MspPsaCommon):
    """What the next invoice settles in the periods billed already: from the
    day a billed fact of an addition changed (``settle_from``), each agreement
    on its own, never for a new description."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]

    def _agreement(self, partner):
        agreement = self._create_agreement(
            partner_id=partner.id,
            fixed_fee=100.0,
            fee_product_id=self.product_fee.id,
        )
        addition = self._create_addition(agreement, quantity=3, price_unit=10.0)
        agreement.action_activate()
        return agreement, addition

    def _run(self, agreements, day):
        with freeze_time(day):
            run = self.Run.create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreements.ids)
        return run

    def _amounts(self, move):
        """The invoice's lines without their labels."""
        return [
            (
                line.msp_line_kind,
                line.quantity,
                line.price_unit,
                str(line.start_date),
                str(line.end_date),
            )
            for line in move.invoice_line_ids.filtered(
                lambda x: x.display_type == "product"
            ).sorted(lambda x: (x.start_date, x.id))
        ]

    def _data(self, agreements):
        due = {a: [a._get_period_at(a.next_period_start)] for a in agreements}
        return agreements._read_billing_data(due)

    def test_description_after_billing_settles_nothing_reads_no_more(self):
        plain, plain_addition = self._agreement(self.client)
        edited, edited_addition = self._agreement(self.other_client)
        both = plain | edited
        self._run(both, "2026-01-01")
        self._run(both, "2026-02-01")
        self.assertFalse(any(both.addition_ids.mapped("settle_from")))
        with freeze_time("2026-02-10"):
            edited_addition.name = "Seats for the new office"
        self.assertFalse(edited_addition.settle_from)
        data = self._data(both)
        # Each agreement settles its previous period only, and reads the same
        # rows of what was billed: February's line, not January's.
        self.assertEqual(data.settle_from[plain.id], date(2026, 2, 1))
        self.assertEqual(data.settle_from[edited.id], date(2026, 2, 1))
        self.assertEqual(
            data.billed[edited_addition.id], [(date(2026, 2, 1), date(2026, 2, 28), 3)]
        )
        self.assertEqual(
            len(data.billed[edited_addition.id]), len(data.billed[plain_addition.id])
        )
        run = self._run(both, "2026-03-01")
        plain_move = run.invoice_ids.filtered(lambda m: m.msp_agreement_id == plain)
        edited_move = run.invoice_ids.filtered(lambda m: m.msp_agreement_id == edited)
        self.assertEqual(self._amounts(edited_move), self._amounts(plain_move))
        self.assertEqual(
            self._amounts(edited_move),
            [
                ("fee", 1.0, 100.0, "2026-03-01", "2026-03-31"),
                ("addition", 3.0, 10.0, "2026-03-01", "2026-03-31"),
            ],
        )
        self.assertIn(
            "Seats for the new office", edited_move.invoice_line_ids.mapped("name")[1]
        )

    def test_back_dated_quantity_settled_once_from_its_day(self):
        agreement, addition = self._agreement(self.client)
        other, other_addition = self._agreement(self.other_client)
        both = agreement | other
        self._run(both, "2026-01-01")
        self._run(both, "2026-02-01")
        with freeze_time("2026-02-20"):
            addition.set_quantity(5, date="2026-01-17")
        self.assertEqual(addition.settle_from, date(2026, 1, 17))
        self.assertFalse(other_addition.settle_from)
        data = self._data(both)
        # Each agreement its own window: the other one reads from February.
        self.assertEqual(data.settle_from[agreement.id], date(2026, 1, 17))
        self.assertEqual(data.settle_from[other.id], date(2026, 2, 1))
        self.assertEqual(len(data.billed[other_addition.id]), 1)
        march = self._run(both, "2026-03-01").invoice_ids
        move = march.filtered(lambda m: m.msp_agreement_id == agreement)
        self.assertEqual(
            [line for line in self._amounts(move) if line[0] == "addition"],
            [
                ("addition", 1.0, 9.68, "2026-01-17", "2026-01-31"),
                ("addition", 2.0, 10.0, "2026-02-01", "2026-02-28"),
                ("addition", 5.0, 10.0, "2026-03-01", "2026-03-31"),
            ],
        )
        self.assertFalse(addition.settle_from)
        april = self._run(agreement, "2026-04-01").invoice_ids
        self.assertEqual(
            [line for line in self._amounts(april) if line[0] == "addition"],
            [("addition", 5.0, 10.0, "2026-04-01", "2026-04-30")],
        )
        # The invoice that settled it is cancelled: its next one settles again.
        april.button_cancel()
        march.filtered(lambda m: m.msp_agreement_id == agreement).button_cancel()
        self.assertEqual(addition.settle_from, date(2026, 1, 17))
        again = self._run(agreement, "2026-04-01").invoice_ids
        self.assertEqual(
            [line for line in self._amounts(again) if line[0] == "addition"],
            [
                ("addition", 1.0, 9.68, "2026-01-17", "2026-01-31"),
                ("addition", 2.0, 10.0, "2026-02-01", "2026-02-28"),
                ("addition", 5.0, 10.0, "2026-03-01", "2026-03-31"),
                ("addition", 5.0, 10.0, "2026-04-01", "2026-04-30"),
            ],
        )

    def test_billed_facts_move_the_settlement_not_the_description(self):
        agreement, addition = self._agreement(self.client)
        self._run(agreement, "2026-01-01")
        self.assertFalse(addition.settle_from)
        addition.name = "Renamed"
        addition.sequence = 5
        self.assertFalse(addition.settle_from)
        addition.included_quantity = 1
        self.assertEqual(addition.settle_from, date(2026, 1, 1))
        self._run(agreement, "2026-02-01")
        self.assertFalse(addition.settle_from)
        with freeze_time("2026-02-10"):
            addition.quantity = 4
        self.assertEqual(addition.settle_from, date(2026, 2, 10))
