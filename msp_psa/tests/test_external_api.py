# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import os
import subprocess
import sys
from pathlib import Path

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

# Shipped with the addon and found from it, so the test runs wherever the addon
# is installed (a clone, or a package in site-packages).
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sync_example.py"


@tagged("post_install", "-at_install")
class TestExternalApi(HttpCase):
    """The README's sync example, run as is against this server over XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sync_user = new_test_user(
            cls.env,
            login="rmm_sync",
            password="rmm_sync_pw",
            groups="msp_psa.group_msp_psa_user",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Sync Test Dental", "is_company": True}
        )
        agreement = cls.env["msp.agreement"].create(
            {"title": "M365", "partner_id": cls.client.id, "date_start": "2026-01-01"}
        )
        product = cls.env["product.product"].create(
            {"name": "M365 Business Premium", "type": "service", "list_price": 26}
        )
        cls.addition = cls.env["msp.agreement.addition"].create(
            {
                "agreement_id": agreement.id,
                "product_id": product.id,
                "quantity_source": "counted",
                "kind_id": cls.env.ref("msp_psa.kind_m365_seat").id,
            }
        )

    def _run_example(self, **env):
        proc = subprocess.run(
            [sys.executable, str(EXAMPLE)],
            env={
                **os.environ,
                "ODOO_URL": f"http://127.0.0.1:{config['http_port']}",
                "ODOO_DB": self.env.cr.dbname,
                "ODOO_LOGIN": "rmm_sync",
                "ODOO_PASSWORD": "rmm_sync_pw",
                "CLIENT": "Sync Test Dental",
                **env,
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return proc

    def test_sync_example_script(self):
        self.assertEqual(self.addition.quantity, 0.0)
        proc = self._run_example()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = json.loads(proc.stdout)
        self.assertEqual(out["sync"], {"created": 4, "updated": 0, "ended": 0})
        self.assertEqual(out["counted_additions"][0]["quantity"], 4.0)
        self.addition.invalidate_recordset()
        self.assertEqual(self.addition.quantity, 4.0)
        items = self.env["msp.managed.item"].search(
            [("partner_id", "=", self.client.id)]
        )
        self.assertEqual(sorted(items.mapped("source")), ["m365"] * 4)
        # The nightly run again: nothing new.
        out = json.loads(self._run_example().stdout)
        self.assertEqual(out["sync"], {"created": 0, "updated": 0, "ended": 0})

    def test_sync_refused_without_rights(self):
        new_test_user(
            self.env, login="nobody", password="nobody_pw", groups="base.group_user"
        )
        proc = self._run_example(ODOO_LOGIN="nobody", ODOO_PASSWORD="nobody_pw")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("You are not allowed to access", proc.stderr)
        self.assertFalse(
            self.env["msp.managed.item"].search([("partner_id", "=", self.client.id)])
        )
