# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import datetime, timedelta

from lxml import etree

from odoo import Command
from odoo.tests import BaseCase, TransactionCase, new_test_user, tagged

from odoo.addons.msp_psa.tools import labels

VIEW_TYPES = ("form", "list", "kanban")
# FontAwesome 4 glyphs wider than a stat button's icon box: they run into the label.
WIDE_ICONS = {"fa-handshake-o", "fa-handshake", "fa-id-card-o", "fa-id-card"}


class TestLabelTools(BaseCase):
    def test_duration(self):
        self.assertEqual(labels.fmt_duration(0), "< 1 s")
        self.assertEqual(labels.fmt_duration(0.4), "< 1 s")
        self.assertEqual(labels.fmt_duration(1.2), "1 s")
        self.assertEqual(labels.fmt_duration(59), "59 s")
        self.assertEqual(labels.fmt_duration(60), "1 min")
        self.assertEqual(labels.fmt_duration(125), "2 min 5 s")
        self.assertEqual(labels.fmt_duration(2 * 3600 + 5 * 60 + 9), "2 h 05 min")

    def test_dates(self):
        start = datetime(2026, 12, 2, 8, 0)
        self.assertEqual(labels.fmt_date(start.date()), "2 Dec 2026")
        self.assertEqual(labels.fmt_month(start.date()), "Dec 2026")
        self.assertEqual(labels.fmt_datetime(start), "2 Dec 2026 08:00")
        self.assertEqual(
            labels.fmt_datetime_range(start, start + timedelta(minutes=90)),
            "2 Dec 2026 08:00 – 09:30",
        )
        self.assertEqual(
            labels.fmt_datetime_range(start, start + timedelta(days=1)),
            "2 Dec 2026 08:00 – 3 Dec 2026 08:00",
        )


@tagged("post_install", "-at_install")
class TestViewPolish(TransactionCase):
    """What a reviewer sees at once: amounts with their currency, smart buttons,
    a run's duration, demo names that match the demo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An MSP manager who invoices, in a single-currency company: the
        # multi-currency group (which shows currency fields) is not hers.
        cls.user = new_test_user(
            cls.env,
            login="msp_polish",
            groups="msp_psa.group_msp_psa_manager,account.group_account_invoice,"
            "helpdesk_mgmt.group_helpdesk_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.user.groups_id -= cls.env.ref("base.group_multi_currency")

    def _msp_views(self):
        """{root view: [msp_psa views of it]} for forms, lists and kanbans."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "msp_psa"), ("model", "=", "ir.ui.view")]
        )
        roots = {}
        for view in self.env["ir.ui.view"].browse(data.mapped("res_id")):
            root = view
            while root.inherit_id:
                root = root.inherit_id
            if root.type in VIEW_TYPES:
                roots.setdefault(root, []).append(view)
        return roots

    def _monetary_without_currency(self, root, own_fields):
        env = self.env(user=self.user)
        if not env[root.model].has_access("read"):
            env = self.env  # settings: administrators only
        arch = env[root.model].get_view(view_id=root.id, view_type=root.type)["arch"]
        problems = []

        def scope_fields(scope):
            names = set()
            for node in scope.iter("field"):
                parent = node.getparent()
                while parent is not scope and parent.tag not in VIEW_TYPES:
                    parent = parent.getparent()
                if parent is scope:
                    names.add(node.get("name"))
            return names

        def walk(node, model, scope):
            for child in node:
                if not isinstance(child.tag, str):
                    continue
                field = None
                if child.tag == "field":
                    field = env[model]._fields.get(child.get("name"))
                    if (
                        field is not None
                        and field.type == "monetary"
                        and field.name in own_fields
                    ):
                        match = re.search(
                            r"currency_field['\"]\s*:\s*['\"](\w+)",
                            child.get("options") or "",
                        )
                        currency = (
                            match.group(1)
                            if match
                            else field.get_currency_field(env[model])
                        )
                        if currency not in scope_fields(scope):
                            problems.append(
                                f"{root.name}: {model}.{field.name} without {currency}"
                            )
                subviews = [c for c in child if c.tag in VIEW_TYPES]
                if field is not None and field.relational and subviews:
                    for sub in subviews:
                        walk(sub, field.comodel_name, sub)
                else:
                    walk(child, model, scope)

        tree = etree.fromstring(arch)
        walk(tree, root.model, tree)
        return problems

    def test_amounts_show_their_currency(self):
        problems = []
        roots = self._msp_views()
        self.assertIn(
            self.env.ref("msp_psa.msp_agreement_view_form"), roots, "views found"
        )
        for root, views in roots.items():
            own_fields = {
                node.get("name")
                for view in views
                for node in etree.fromstring(view.arch).iter("field")
            }
            problems += self._monetary_without_currency(root, own_fields)
        self.assertFalse(problems, "monetary fields shown without their currency")

    def test_smart_buttons(self):
        problems = []
        for root, views in self._msp_views().items():
            if root.type != "form":
                continue
            for view in views:
                for button in etree.fromstring(view.arch).iter("button"):
                    if "oe_stat_button" not in (button.get("class") or ""):
                        continue
                    name = f"{view.name}: {button.get('name')}"
                    if not button.get("icon") or button.get("icon") in WIDE_ICONS:
                        problems.append(f"{name} has no icon or a too wide one")
                    if not any(
                        node.get("widget") == "statinfo"
                        for node in button.iter("field")
                    ):
                        problems.append(f"{name} has no statinfo field")
        self.assertFalse(problems)

    def test_billing_run_duration(self):
        if not self.env.ref("msp_psa.agreement_acme_demo", raise_if_not_found=False):
            self.skipTest("demo data not installed")
        agreement = self.env.ref("msp_psa.agreement_acme_demo")
        run = self.env["msp.billing.run"]._run_agreements(agreement)
        self.assertEqual(run.state, "done")
        self.assertTrue(run.date_done)
        for seconds, label in (
            (0.4, "< 1 s"),
            (125, "2 min 5 s"),
            (7509, "2 h 05 min"),
        ):
            self.env.cr.execute(
                "UPDATE msp_billing_run SET create_date = %s WHERE id = %s",
                (run.date_done - timedelta(seconds=seconds), run.id),
            )
            run.invalidate_recordset()
            self.assertAlmostEqual(run.duration, seconds, places=3)
            self.assertEqual(run.duration_label, label)

    def test_demo_block_product_matches_the_agreement(self):
        if not self.env.ref("msp_psa.agreement_acme_demo", raise_if_not_found=False):
            self.skipTest("demo data not installed")
        contoso = self.env.ref("msp_psa.agreement_contoso_demo")
        self.assertEqual(contoso.block_hours, 5.0)
        self.assertEqual(contoso.block_product_id.name, "Prepaid Support Hours (block)")
        self.assertNotRegex(
            contoso.block_product_id.description_sale or "", r"\d+ hours"
        )
