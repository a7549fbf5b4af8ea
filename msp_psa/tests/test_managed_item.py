# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestManagedItem(MspPsaCommon):
    def test_dates_and_client(self):
        with self.assertRaisesMsg(ValidationError, "cannot leave service"):
            self._create_items(1, active_to="2025-12-31")
        with self.assertRaisesMsg(ValidationError, "client company"):
            self._create_items(1, partner=self.client_contact)

    @freeze_time("2026-03-20")
    def test_in_service(self):
        current = self._create_items(1)
        ended = self._create_items(1, active_to="2026-03-19")
        future = self._create_items(1, active_from="2026-04-01")
        self.assertTrue(current.is_current)
        self.assertFalse(ended.is_current)
        self.assertFalse(future.is_current)
        mine = self.Item.search([("partner_id", "=", self.client.id)])
        self.assertEqual(mine.filtered_domain([("is_current", "=", True)]), current)
        self.assertEqual(
            self.Item.search(
                [("partner_id", "=", self.client.id), ("is_current", "=", False)]
            ),
            ended | future,
        )
        self.assertEqual(self.client.msp_managed_item_count, 1)

    @freeze_time("2026-03-20")
    def test_sync_items(self):
        addition = self._create_addition(
            self._create_agreement(),
            quantity_source="counted",
            kind_id=self.kind_user.id,
        )
        result = self.Item.sync_items(
            self.client.id,
            "user",
            [
                {"external_ref": "u-1", "name": "ana@acme.test"},
                {"external_ref": "u-2", "name": "bob@acme.test"},
                {"external_ref": "u-3", "name": "cy@acme.test"},
            ],
            date="2026-03-01",
            source="m365",
        )
        self.assertEqual(result, {"created": 3, "updated": 0, "ended": 0})
        self.assertEqual(addition.quantity, 3.0)
        # Next sync: bob left, cy was renamed, dee joined.
        result = self.Item.sync_items(
            self.client.id,
            "user",
            [
                {"external_ref": "u-1", "name": "ana@acme.test"},
                {"external_ref": "u-3", "name": "cyril@acme.test"},
                {"external_ref": "u-4", "name": "dee@acme.test"},
            ],
            date="2026-03-17",
            source="m365",
        )
        self.assertEqual(result, {"created": 1, "updated": 1, "ended": 1})
        bob = self.Item.search([("external_ref", "=", "u-2")])
        self.assertEqual(bob.active_to, date(2026, 3, 16))
        self.assertEqual(
            self.Item.search([("external_ref", "=", "u-3")]).name, "cyril@acme.test"
        )
        self.assertEqual(addition.quantity, 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 16)), 3.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 17)), 3.0)
        self.assertEqual(
            self._history(addition),
            [("2026-01-01", 0.0, 0.0, "count"), ("2026-03-01", 0.0, 3.0, "count")],
            "bob leaving and dee joining the same day nets out",
        )
        # Same list again: nothing changes.
        result = self.Item.sync_items(
            self.client.id,
            "user",
            [
                {"external_ref": "u-1", "name": "ana@acme.test"},
                {"external_ref": "u-3", "name": "cyril@acme.test"},
                {"external_ref": "u-4", "name": "dee@acme.test"},
            ],
            date="2026-03-18",
            source="m365",
        )
        self.assertEqual(result, {"created": 0, "updated": 0, "ended": 0})
        # Bob comes back: a new item, so his gap stays in history.
        self.Item.sync_items(
            self.client.id,
            "user",
            [
                {"external_ref": "u-1"},
                {"external_ref": "u-2", "name": "bob@acme.test"},
                {"external_ref": "u-3"},
                {"external_ref": "u-4"},
            ],
            date="2026-03-20",
            source="m365",
        )
        self.assertEqual(len(self.Item.search([("external_ref", "=", "u-2")])), 2)
        self.assertEqual(addition.quantity, 4.0)
        self.assertEqual(addition._get_quantity_at(date(2026, 3, 19)), 3.0)

    def test_sync_items_bad_input(self):
        with self.assertRaisesMsg(UserError, "Unknown managed item kind"):
            self.Item.sync_items(self.client.id, "toaster", [])
        with self.assertRaisesMsg(UserError, "synced item 1, external_ref is missing"):
            self.Item.sync_items(self.client.id, "user", [{"name": "x"}])
        with self.assertRaisesMsg(UserError, 'synced external_ref: "a" given twice'):
            self.Item.sync_items(
                self.client.id, "user", [{"external_ref": "a"}, {"external_ref": "a"}]
            )
        with self.assertRaisesMsg(UserError, "no client with id"):
            self.Item.sync_items(999999999, "user", [])
        with self.assertRaisesMsg(UserError, 'sync source: "fax" is not one of'):
            self.Item.sync_items(self.client.id, "user", [], source="fax")
        self.assertFalse(self.Item.search([("partner_id", "=", self.client.id)]))
