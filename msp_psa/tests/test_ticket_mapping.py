# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import MspHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTicketMapping(MspHelpdeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.team_support = cls.env["helpdesk.ticket.team"].create({"name": "Support"})
        cls.team_projects = cls.env["helpdesk.ticket.team"].create({"name": "Projects"})
        cls.cat_network = cls.env["helpdesk.ticket.category"].create(
            {"name": "Network"}
        )

    def _ticket(self, **vals):
        return self.Ticket.create(
            {
                "name": "Printer down",
                "description": "It does not print.",
                "partner_id": self.client_contact.id,
                "team_id": self.team_support.id,
                **vals,
            }
        )

    def test_covering_agreement_and_specificity(self):
        general = self._create_agreement(title="General", date_start=date(2026, 1, 1))
        network = self._create_agreement(
            title="Network care",
            date_start=date(2026, 1, 1),
            team_ids=[Command.set(self.team_support.ids)],
            category_ids=[Command.set(self.cat_network.ids)],
        )
        projects_only = self._create_agreement(
            title="Projects", team_ids=[Command.set(self.team_projects.ids)]
        )
        (general | network | projects_only).action_activate()
        plain = self._ticket()
        self.assertEqual(plain.msp_agreement_id, general)
        self.assertFalse(plain.msp_unmapped)
        networked = self._ticket(category_id=self.cat_network.id)
        self.assertEqual(networked.msp_agreement_id, network, "the most specific wins")
        project = self._ticket(team_id=self.team_projects.id)
        self.assertEqual(project.msp_agreement_id, projects_only)
        # changing the team maps again
        project.team_id = self.team_support
        self.assertEqual(project.msp_agreement_id, general)

    def test_unmapped_and_override(self):
        draft = self._create_agreement()
        ticket = self._ticket()
        self.assertFalse(ticket.msp_agreement_id, "a draft agreement covers nothing")
        self.assertTrue(ticket.msp_unmapped)
        other_client = self._ticket(partner_id=self.other_contact.id)
        self.assertFalse(other_client.msp_agreement_id)
        draft.action_activate()
        chosen = self._create_agreement(title="Chosen by hand")
        chosen.action_activate()
        ticket.msp_agreement_id = chosen  # staff override
        self.assertEqual(ticket.msp_agreement_id, chosen)
        self.assertFalse(ticket.msp_unmapped)
        unmapped = self.Ticket.search(
            [("msp_unmapped", "=", True), ("id", "in", (ticket | other_client).ids)]
        )
        self.assertEqual(unmapped, other_client)

    def test_ties_go_to_the_latest_start_then_the_lowest_reference(self):
        older = self._create_agreement(
            title="Older", date_start=date(2025, 6, 1), term_months=36
        )
        newer = self._create_agreement(title="Newer", date_start=date(2026, 1, 1))
        (older | newer).action_activate()
        self.assertEqual(self._ticket().msp_agreement_id, newer)
        twin = self._create_agreement(title="Twin", date_start=date(2026, 1, 1))
        twin.action_activate()
        first = min(newer, twin, key=lambda a: a.name)
        self.assertEqual(self._ticket().msp_agreement_id, first)
