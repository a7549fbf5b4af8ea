# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestAgreementAddition(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement()

    def test_price_from_pricelist_and_cost(self):
        addition = self._create_addition(self.agreement, quantity=3)
        self.assertEqual(addition.price_unit, 25.0)  # list price
        self.assertEqual(addition.cost_unit, 18.0)  # product cost
        self.assertEqual(addition.name, "Per-User Support")
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Acme prices",
                "currency_id": self.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.product_seat.id,
                            "compute_price": "fixed",
                            "fixed_price": 22.5,
                        }
                    )
                ],
            }
        )
        self.client.property_product_pricelist = pricelist
        with Form(self.agreement) as form, form.addition_ids.new() as line:
            line.product_id = self.product_seat
            self.assertEqual(line.price_unit, 22.5)
            line.price_unit = 21.0  # the price stays editable
        self.assertEqual(self.agreement.addition_ids[-1].price_unit, 21.0)

    def test_amounts_less_included(self):
        addition = self._create_addition(
            self.agreement, quantity=12, included_quantity=2, price_unit=25.0
        )
        self.assertEqual(addition.billable_quantity, 10.0)
        self.assertEqual(addition.monthly_amount, 250.0)
        self.assertEqual(addition.margin, 250.0 - 12 * 18.0)
        addition.included_quantity = 15
        self.assertEqual(addition.billable_quantity, 0.0)
        self.assertEqual(addition.monthly_amount, 0.0)

    def test_constraints(self):
        for field, label in (
            ("quantity", "quantity cannot be negative"),
            ("price_unit", "unit price cannot be negative"),
            ("included_quantity", "included quantity cannot be negative"),
            ("cost_unit", "unit cost cannot be negative"),
        ):
            with self.assertRaisesMsg(ValidationError, label):
                self._create_addition(self.agreement, **{field: -1})
        with self.assertRaisesMsg(ValidationError, "cancel date"):
            self._create_addition(
                self.agreement, date_start=date(2026, 3, 1), date_end=date(2026, 2, 1)
            )
        with self.assertRaisesMsg(ValidationError, "before the agreement starts"):
            self._create_addition(self.agreement, date_start=date(2025, 12, 1))
        with self.assertRaisesMsg(ValidationError, "choose which kind"):
            self._create_addition(self.agreement, quantity_source="counted")
        self.assertFalse(self.agreement.addition_ids)

    @freeze_time("2026-03-20")
    def test_manual_quantity_history(self):
        addition = self._create_addition(self.agreement, quantity=10)
        self.assertEqual(
            self._history(addition), [("2026-01-01", 0.0, 10.0, "initial")]
        )
        addition.with_context(msp_quantity_date="2026-03-10").quantity = 12
        addition.with_user(self.msp_user).quantity = 13
        addition.quantity = 13  # no change, no entry
        self.assertEqual(
            self._history(addition),
            [
                ("2026-01-01", 0.0, 10.0, "initial"),
                ("2026-03-10", 10.0, 12.0, "manual"),
                ("2026-03-20", 12.0, 13.0, "manual"),
            ],
        )
        last = addition.quantity_history_ids.sorted("id")[-1]
        self.assertEqual(last.user_id, self.msp_user)
        self.assertEqual(last.quantity_delta, 1.0)
        self.assertEqual(addition._get_quantity_at(date(2025, 12, 31)), 0.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 9)), 10.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 10)), 12.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 20)), 13.0)
        # The log only grows forward, and never into the future.
        with self.assertRaisesMsg(UserError, "already changed on"):
            addition.with_context(msp_quantity_date="2026-03-01").quantity = 11
        with self.assertRaisesMsg(UserError, "today or earlier"):
            addition.with_context(msp_quantity_date="2026-04-01").quantity = 11
        self.assertEqual(addition.quantity, 13.0)
        self.assertEqual(len(addition.quantity_history_ids), 3)

    def test_moving_effective_date_moves_initial_entry(self):
        addition = self._create_addition(self.agreement, quantity=5)
        addition.date_start = date(2026, 2, 1)
        self.assertEqual(self._history(addition), [("2026-02-01", 0.0, 5.0, "initial")])
        self.assertEqual(addition._get_quantity_at(date(2026, 1, 31)), 0.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 2, 1)), 5.0)

    def test_cancel_date_ends_service(self):
        addition = self._create_addition(
            self.agreement, quantity=5, date_end=date(2026, 6, 30)
        )
        self.assertEqual(addition._get_quantity_at(date(2026, 6, 30)), 5.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 7, 1)), 0.0)

    @freeze_time("2026-03-20")
    def test_counted_quantity_and_dated_history(self):
        items = self._create_items(3)
        self._create_items(2, kind=self.kind_server)  # another kind
        self._create_items(4, partner=self.other_client)  # another client
        addition = self._create_addition(
            self.agreement,
            self.product_device,
            quantity_source="counted",
            kind_id=self.kind_ws.id,
        )
        self.assertEqual(addition.quantity, 3.0)
        self.assertEqual(self._history(addition), [("2026-01-01", 0.0, 3.0, "count")])

        # A device added on the 17th, one retired on the 18th.
        new = self._create_items(1, active_from="2026-03-17")
        self.assertEqual(addition.quantity, 4.0)
        items[0].active_to = date(2026, 3, 18)
        self.assertEqual(addition.quantity, 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 16)), 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 17)), 4.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 18)), 4.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 19)), 3.0)

        # A device the RMM reports late, in service since 10 Feb: the past is corrected.
        late = self._create_items(1, active_from="2026-02-10")
        self.assertEqual(addition.quantity, 4.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 2, 9)), 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 2, 10)), 4.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 17)), 5.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 19)), 4.0)
        entries = len(addition.quantity_history_ids)
        addition._recount_quantities()
        self.assertEqual(
            len(addition.quantity_history_ids), entries, "recount is idempotent"
        )

        # Undo the mistake: the late device was never there; the log nets to zero.
        late.active = False
        for day, expected in (
            ("2026-02-10", 3.0),
            ("2026-03-17", 4.0),
            ("2026-03-19", 3.0),
        ):
            self.assertEqual(
                addition._get_quantity_at(date.fromisoformat(day)), expected
            )
        net = sum(
            e.quantity_delta
            for e in addition.quantity_history_ids
            if e.date == date(2026, 2, 10)
        )
        self.assertEqual(net, 0.0)
        self.assertEqual(addition.quantity, 3.0)
        new.unlink()
        self.assertEqual(addition.quantity, 2.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 17)), 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 16)), 3.0)

    @freeze_time("2026-03-20")
    def test_counted_quantity_cannot_be_typed(self):
        self._create_items(3)
        addition = self._create_addition(
            self.agreement, quantity_source="counted", kind_id=self.kind_ws.id
        )
        with self.assertRaisesMsg(UserError, "counted from the client's managed items"):
            addition.quantity = 10
        # switching to manual keeps the count as the starting point
        addition.write({"quantity_source": "manual", "quantity": 10})
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 19)), 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 20)), 10.0)
        self._create_items(1)
        self.assertEqual(addition.quantity, 10.0, "a manual addition ignores items")

    @freeze_time("2026-03-20")
    def test_future_items_counted_when_they_start(self):
        self._create_items(2)
        self._create_items(1, active_from="2026-04-01")
        addition = self._create_addition(
            self.agreement, quantity_source="counted", kind_id=self.kind_ws.id
        )
        self.assertEqual(addition.quantity, 2.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 4, 1)), 3.0)
        with freeze_time("2026-04-01"):
            self.Addition._cron_refresh_counted_quantities()
        self.assertEqual(addition.quantity, 3.0)

    def test_items_of_other_company_not_counted(self):
        other = self.setup_other_company()["company"]
        self._create_items(2)
        self.env["msp.managed.item"].sudo().create(
            [
                {
                    "name": f"B-{i}",
                    "partner_id": self.client.id,
                    "kind_id": self.kind_ws.id,
                    "company_id": other.id,
                    "active_from": "2026-01-01",
                }
                for i in range(5)
            ]
        )
        addition = self._create_addition(
            self.agreement, quantity_source="counted", kind_id=self.kind_ws.id
        )
        self.assertEqual(addition.quantity, 2.0)

    @freeze_time("2026-03-20")
    def test_set_quantity_api(self):
        addition = self._create_addition(self.agreement, quantity=10)
        addition.set_quantity(14, date="2026-03-17", note="M365 sync")
        entry = addition.quantity_history_ids.sorted("id")[-1]
        self.assertEqual(
            (
                str(entry.date),
                entry.quantity_old,
                entry.quantity_new,
                entry.source,
                entry.note,
            ),
            ("2026-03-17", 10.0, 14.0, "api", "M365 sync"),
        )
        self.assertEqual(addition.quantity, 14.0)

    def test_delete(self):
        addition = self._create_addition(self.agreement)
        addition.unlink()
        kept = self._create_addition(self.agreement)
        self.agreement.action_activate()
        with self.assertRaisesMsg(UserError, "set a cancel date"):
            kept.unlink()
        self.assertTrue(kept.exists())
