# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestSecurity(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agreement = cls._create_agreement()
        cls.addition = cls._create_addition(cls.agreement, quantity=3)
        cls.other_company = cls.setup_other_company()["company"]
        cls.other_client = cls.env["res.partner"].create(
            {"name": "B-side client", "is_company": True}
        )
        cls.other_agreement = (
            cls.env["msp.agreement"]
            .with_company(cls.other_company)
            .create(
                {
                    "title": "Company B agreement",
                    "partner_id": cls.other_client.id,
                    "company_id": cls.other_company.id,
                    "date_start": "2026-01-01",
                    "journal_id": False,
                }
            )
        )
        cls.plain_user = new_test_user(
            cls.env, login="plain_user", groups="base.group_user"
        )
        cls.billing_user = new_test_user(
            cls.env, login="billing_user", groups="account.group_account_invoice"
        )

    def test_msp_user_rights(self):
        Agreement = self.Agreement.with_user(self.msp_user)
        agreement = Agreement.create(
            {
                "title": "New",
                "partner_id": self.client.id,
                "journal_id": self.journal.id,
            }
        )
        addition = self.Addition.with_user(self.msp_user).create(
            {"agreement_id": agreement.id, "product_id": self.product_seat.id}
        )
        addition.quantity = 4
        self.assertEqual(len(addition.quantity_history_ids), 2)
        with self.assertRaises(AccessError):
            addition.quantity_history_ids[0].with_user(self.msp_user).write(
                {"quantity_new": 99}
            )
        with self.assertRaises(AccessError):
            addition.quantity_history_ids[0].with_user(self.msp_user).unlink()
        with self.assertRaises(AccessError):
            agreement.unlink()
        with self.assertRaises(AccessError):
            self.env["msp.managed.item.kind"].with_user(self.msp_user).create(
                {"name": "Toaster", "code": "toaster"}
            )
        with self.assertRaises(AccessError):
            self.env["msp.work.type"].with_user(self.msp_user).create(
                {"name": "Gardening"}
            )
        # a manager may delete a draft agreement
        agreement.with_user(self.msp_manager).unlink()

    def test_msp_user_gets_the_default_journal(self):
        """An MSP user without accounting rights creates an agreement and gets
        the company's sales journal, read with the user's own rights."""
        self.assertFalse(self.msp_user.has_group("account.group_account_invoice"))
        sale_journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.env.company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        self.assertTrue(sale_journal)
        agreement = self.Agreement.with_user(self.msp_user).create(
            {"title": "No journal given", "partner_id": self.client.id}
        )
        self.assertEqual(agreement.journal_id, sale_journal)
        # the other company's journals stay out of reach
        self.assertNotEqual(agreement.journal_id.company_id, self.other_company)

    def test_plain_user_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.Agreement.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.agreement.with_user(self.plain_user).read(["title"])
        with self.assertRaises(AccessError):
            self.Item.with_user(self.plain_user).search([])

    def test_accountant_reads_only(self):
        agreement = self.agreement.with_user(self.billing_user)
        self.assertEqual(agreement.title, "Managed IT")
        self.assertEqual(agreement.addition_ids.quantity, 3.0)
        with self.assertRaises(AccessError):
            agreement.write({"title": "Changed"})
        with self.assertRaises(AccessError):
            self.Agreement.with_user(self.billing_user).create(
                {"title": "x", "partner_id": self.client.id}
            )

    def test_ticket_count_counts_the_tickets_the_user_can_open(self):
        """The agreement's Tickets button counts what it opens: a technician
        who sees only his own tickets counts his own."""
        technician = new_test_user(
            self.env,
            login="own_tickets_tech",
            groups="msp_psa.group_msp_psa_user,helpdesk_mgmt.group_helpdesk_user_own",
        )
        Ticket = self.env["helpdesk.ticket"].sudo()
        Ticket.create(
            [
                {
                    "name": name,
                    "description": name,
                    "partner_id": self.client.id,
                    "msp_agreement_id": self.agreement.id,
                    "user_id": user.id,
                }
                for name, user in (
                    ("Printer down", technician),
                    ("Mail bounces", self.msp_manager),
                    ("VPN slow", self.msp_manager),
                )
            ]
        )
        self.assertEqual(self.agreement.sudo().ticket_count, 3)
        agreement = self.agreement.with_user(technician)
        self.assertEqual(agreement.ticket_count, 1)
        opened = agreement.action_view_tickets()
        self.assertEqual(
            self.env["helpdesk.ticket"]
            .with_user(technician)
            .search_count(opened["domain"]),
            agreement.ticket_count,
        )
        # without a helpdesk group: the tickets he follows or filed, none here
        self.assertEqual(self.agreement.with_user(self.msp_user).ticket_count, 0)

    def test_multi_company(self):
        Agreement = self.Agreement.with_user(self.msp_user)
        found = Agreement.search([])
        self.assertIn(self.agreement, found)
        self.assertNotIn(self.other_agreement, found)
        with self.assertRaises(AccessError):
            self.other_agreement.with_user(self.msp_user).read(["title"])
        # once the user may work in company B too, B's agreements show when selected
        self.msp_user.company_ids = [Command.link(self.other_company.id)]
        both = Agreement.with_context(
            allowed_company_ids=[self.env.company.id, self.other_company.id]
        ).search([])
        self.assertIn(self.other_agreement, both)
        self.assertNotIn(
            self.other_agreement,
            Agreement.with_context(allowed_company_ids=[self.env.company.id]).search(
                []
            ),
        )
