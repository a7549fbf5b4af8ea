# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import date, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from lxml import html

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    """The customer portal: each client sees its own agreements and nothing of
    anyone else's; a change request reaches the account manager and bills
    nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.env = env
        Partner = env["res.partner"]
        cls.client_a = Partner.create(
            {"name": "Tour Portal Dental", "is_company": True}
        )
        cls.contact_a = Partner.create(
            {"name": "Paula Portal", "parent_id": cls.client_a.id, "email": "p@a.test"}
        )
        cls.client_b = Partner.create({"name": "Other Client Inc", "is_company": True})
        cls.contact_b = Partner.create(
            {"name": "Bob Other", "parent_id": cls.client_b.id, "email": "b@b.test"}
        )
        cls.portal_a = new_test_user(
            env,
            login="msp_portal_a",
            password="msp_portal_a",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
        )
        cls.portal_b = new_test_user(
            env,
            login="msp_portal_b",
            password="msp_portal_b",
            groups="base.group_portal",
            partner_id=cls.contact_b.id,
        )
        cls.manager = new_test_user(
            env,
            login="msp_portal_am",
            name="Alice Account Manager",
            groups="msp_psa.group_msp_psa_user,base.group_partner_manager",
        )
        cls.seat = env["product.product"].create(
            {"name": "Tour seat", "type": "service", "list_price": 25.0}
        )
        start = date.today().replace(day=1)
        cls.agreement_a = cls._create_agreement(
            cls.client_a, "Tour Portal IT", start, quantity=12
        )
        cls.agreement_b = cls._create_agreement(
            cls.client_b, "Secret Other IT", start, quantity=40
        )
        cls.draft_a = env["msp.agreement"].create(
            {
                "title": "Draft Proposal A",
                "partner_id": cls.client_a.id,
                "date_start": start,
            }
        )

    @classmethod
    def _create_agreement(cls, client, title, start, quantity):
        agreement = cls.env["msp.agreement"].create(
            {
                "title": title,
                "partner_id": client.id,
                "user_id": cls.manager.id,
                "date_start": start,
                "billing_model": "per_user",
                "addition_ids": [
                    Command.create({"product_id": cls.seat.id, "quantity": quantity})
                ],
            }
        )
        agreement.action_activate()
        return agreement

    def _csrf_token(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        self.assertTrue(match, "the page has the change request form")
        return match.group(1)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_list_shows_own_agreements_only(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open("/my/agreements")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.agreement_a.name, response.text)
        self.assertIn("Tour Portal IT", response.text)
        self.assertNotIn(self.agreement_b.name, response.text)
        self.assertNotIn("Secret Other IT", response.text)
        self.assertNotIn("Draft Proposal A", response.text, "drafts stay internal")
        # search, sort and pager arguments are accepted
        response = self.url_open(
            "/my/agreements?sortby=renewal&search=Tour&search_in=all"
        )
        self.assertIn(self.agreement_a.name, response.text)
        response = self.url_open("/my/agreements?search=nothing-like-this")
        self.assertNotIn(self.agreement_a.name, response.text)

    def test_staff_list_shows_no_clients_agreements(self):
        """Staff read every agreement in the back office; their portal list is
        their own company's as a client, not the clients'."""
        self.authenticate("msp_portal_am", "msp_portal_am")
        response = self.url_open("/my/agreements")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.agreement_a.name, response.text)
        self.assertNotIn(self.agreement_b.name, response.text)
        # the page itself opens for them, with the way back to the back office
        response = self.url_open(self.agreement_b.access_url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Secret Other IT", response.text)

    def test_home_counts_agreements(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["msp_agreement_count"]}
        )
        self.assertEqual(counters["msp_agreement_count"], 1)
        home = self.url_open("/my")
        self.assertIn('href="/my/agreements"', home.text)

    def test_owner_sees_agreement_page(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open(self.agreement_a.access_url)
        self.assertEqual(response.status_code, 200)
        text = response.text
        self.assertIn(self.agreement_a.name, text)
        self.assertIn("Tour seat", text)
        self.assertIn("Alice Account Manager", text)
        self.assertIn("No tickets in this period", text)
        self.assertIn('id="msp_agreement_change_request"', text)

    def test_page_shows_sla_targets_and_results(self):
        policy = self.env["msp.sla.policy"].create(
            {
                "name": "Gold",
                "line_ids": [Command.create({"priority": "3", "resolution_hours": 3})],
            }
        )
        self.agreement_a.sla_policy_id = policy
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Server down",
                "description": "<p>Down</p>",
                "partner_id": self.agreement_a.partner_id.id,
                "priority": "3",
                "msp_agreement_id": self.agreement_a.id,
            }
        )
        ticket.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        self.assertEqual(ticket.msp_sla_state, "met")
        self.authenticate("msp_portal_a", "msp_portal_a")
        text = self.url_open(self.agreement_a.access_url).text
        self.assertIn("Very High", text)
        self.assertIn("24×7", text)
        self.assertNotIn("No tickets in this period", text)
        self.assertIn("(100%)", text)

    def test_page_shows_dash_where_nothing_is_decided(self):
        policy = self.env["msp.sla.policy"].create(
            {
                "name": "Gold",
                "line_ids": [Command.create({"priority": "1", "resolution_hours": 8})],
            }
        )
        self.agreement_a.sla_policy_id = policy
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Slow laptop",
                "description": "<p>Slow</p>",
                "partner_id": self.contact_a.id,
                "priority": "1",
                "msp_agreement_id": self.agreement_a.id,
            }
        )
        self.assertEqual(ticket.msp_sla_state, "on_track")
        self.authenticate("msp_portal_a", "msp_portal_a")
        page = html.fromstring(self.url_open(self.agreement_a.access_url).text)
        [results] = page.xpath("//div[hasclass('o_msp_sla_results_3')]")
        cells = {
            css: results.xpath(f".//td[hasclass('{css}')]")[0].text_content().strip()
            for css in (
                "o_msp_sla_met",
                "o_msp_sla_missed",
                "o_msp_sla_avg_response",
                "o_msp_sla_avg_resolution",
            )
        }
        self.assertEqual(set(cells.values()), {"—"}, cells)

    def test_ticket_page_shows_sla_targets_and_due_times(self):
        policy = self.env["msp.sla.policy"].create(
            {
                "name": "Gold 24x7",
                "line_ids": [
                    Command.create(
                        {"priority": "1", "response_hours": 2, "resolution_hours": 8}
                    )
                ],
            }
        )
        self.agreement_a.sla_policy_id = policy
        self.portal_a.tz = "Asia/Tokyo"
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Printer jammed",
                "description": "<p>Jammed</p>",
                "partner_id": self.contact_a.id,
                "priority": "1",
                "msp_agreement_id": self.agreement_a.id,
            }
        )
        self.assertEqual(ticket.msp_sla_policy_id, policy)
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(response.status_code, 200)
        [sla] = html.fromstring(response.text).xpath(
            "//div[hasclass('o_msp_ticket_sla')]"
        )
        text = " ".join(sla.text_content().split())
        self.assertIn("Gold 24x7", text)
        self.assertIn("On Track", text)
        self.assertIn("First response within 2 h (24×7)", text)
        self.assertIn("Resolution within 8 h (24×7)", text)
        # the due times in the reader's timezone (Tokyo, UTC+9)
        tokyo = pytz.timezone("Asia/Tokyo")
        dues = [
            " ".join(due.text_content().split())
            for due in sla.xpath(".//span[hasclass('o_msp_sla_due')]")
        ]
        for due, deadline in zip(
            dues,
            (ticket.msp_response_deadline, ticket.msp_resolution_deadline),
            strict=True,
        ):
            local = pytz.utc.localize(deadline).astimezone(tokyo)
            self.assertIn(local.strftime("%m/%d/%Y %H:%M"), due)
        self.assertEqual(
            ticket.msp_resolution_deadline - ticket.msp_response_deadline,
            timedelta(hours=6),
        )
        # no resolution time while the ticket is open
        self.assertNotIn("done", text)

    def test_block_usage_period_by_period(self):
        """The agreement page lists the block period by period with the time
        behind it, with the back office's figures."""
        env = self.env
        today = fields.Date.context_today(self.agreement_a)
        this_month = today.replace(day=1)
        last_month = this_month - relativedelta(months=1)
        agreement = env["msp.agreement"].create(
            {
                "title": "Prepaid Support",
                "partner_id": self.client_a.id,
                "user_id": self.manager.id,
                "date_start": last_month - relativedelta(months=1),
                "billing_model": "block_hours",
                "block_hours": 5.0,
                "block_price": 500.0,
                "block_product_id": self.seat.id,
                "overage_rate": 120.0,
            }
        )
        agreement.action_activate()
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Mail server",
                "description": "<p>Mail</p>",
                "partner_id": self.contact_a.id,
                "msp_agreement_id": agreement.id,
            }
        )
        project = env["project.project"].create({"name": "Support A"})
        employee = env["hr.employee"].create({"name": "Tech A"})

        def log(day, hours, name):
            return env["account.analytic.line"].create(
                {
                    "name": name,
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "date": day,
                    "unit_amount": hours,
                    "ticket_id": ticket.id,
                    "msp_agreement_id": agreement.id,
                }
            )

        first = log(last_month + timedelta(days=4), 3.0, "Mailbox migration")
        second = log(last_month + timedelta(days=9), 4.0, "Spam filter")
        third = log(this_month, 1.5, "Quota raise")
        self.assertEqual((second.msp_prepaid_hours, second.msp_overage_hours), (2, 2))
        usage = agreement._msp_portal_block_usage()
        self.assertEqual(
            [
                (u["date_start"], u["bought"], u["used"], u["overage"], u["current"])
                for u in usage
            ],
            [
                (this_month, 5.0, 1.5, 0.0, True),
                (last_month, 5.0, 7.0, 2.0, False),
                (last_month - relativedelta(months=1), 5.0, 0.0, 0.0, False),
            ],
        )
        # one definition: the current period is the back office's block figures
        _total, _left, used, overage = agreement._msp_block_balances()[agreement.id]
        self.assertEqual((usage[0]["used"], usage[0]["overage"]), (used, overage))
        self.assertEqual(agreement.block_hours_used, usage[0]["used"])
        self.assertEqual(agreement.block_hours_remaining, 5.0 - 1.5)
        self.assertEqual(
            [
                (e["date"], e["ticket"], e["hours"], e["prepaid"], e["overage"])
                for e in usage[1]["lines"]
            ],
            [
                (first.date, ticket, 3.0, 3.0, 0.0),
                (second.date, ticket, 4.0, 2.0, 2.0),
            ],
        )
        self.assertEqual([e["description"] for e in usage[0]["lines"]], [third.name])

        self.authenticate("msp_portal_a", "msp_portal_a")
        page = html.fromstring(self.url_open(agreement.access_url).text)
        rows = {
            row.get("data-date-start"): [
                " ".join(cell.text_content().split()) for cell in row.xpath("td")
            ]
            for row in page.xpath("//tr[hasclass('o_msp_block_period')]")
        }
        self.assertEqual(rows[str(last_month)][1:], ["5.00", "7.00", "2.00"])
        self.assertEqual(rows[str(this_month)][1:], ["5.00", "1.50", "0.00"])
        entries = [
            [" ".join(cell.text_content().split()) for cell in row.xpath("td")][1:]
            for row in page.xpath("//tr[hasclass('o_msp_block_line')]")
        ]
        self.assertEqual(
            entries,
            [
                [ticket.number, "Quota raise", "1.50", "1.50", "0.00"],
                [ticket.number, "Mailbox migration", "3.00", "3.00", "0.00"],
                [ticket.number, "Spam filter", "4.00", "2.00", "2.00"],
            ],
        )
        self.assertTrue(
            page.xpath(
                f"//tr[hasclass('o_msp_block_line')]//a[@href='/my/ticket/{ticket.id}']"
            )
        )

    def test_other_clients_agreement_is_refused(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open(self.agreement_b.access_url, allow_redirects=False)
        self.assertIn(response.status_code, (303, 302))
        self.assertTrue(response.headers["Location"].endswith("/my"))
        response = self.url_open(self.agreement_b.access_url)
        self.assertNotIn("Secret Other IT", response.text)
        self.assertNotIn(self.agreement_b.name, response.text)
        # nor its PDF
        response = self.url_open(
            f"{self.agreement_b.access_url}?report_type=pdf", allow_redirects=False
        )
        self.assertIn(response.status_code, (303, 302))

    def test_public_visitor_without_token_goes_to_login(self):
        response = self.url_open(self.agreement_a.access_url)
        self.assertIn("/web/login", response.url)
        self.assertNotIn("Tour Portal IT", response.text)
        response = self.url_open("/my/agreements")
        self.assertIn("/web/login", response.url)
        self.assertNotIn("Tour Portal IT", response.text)

    def test_valid_token_opens_the_page(self):
        url = self.agreement_a.get_portal_url()
        self.assertIn("access_token=", url)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Tour Portal IT", response.text)
        self.assertIn("Tour seat", response.text)
        # a visitor reads it but files no change request
        self.assertNotIn('id="msp_agreement_change_request"', response.text)

    def test_wrong_token_gives_nothing(self):
        self.agreement_a._portal_ensure_token()
        for token in ("wrong-token", self.agreement_b._portal_ensure_token()):
            response = self.url_open(
                f"{self.agreement_a.access_url}?access_token={token}",
                allow_redirects=False,
            )
            self.assertIn(response.status_code, (303, 302))
            response = self.url_open(
                f"{self.agreement_a.access_url}?access_token={token}"
            )
            self.assertNotIn("Tour Portal IT", response.text)

    def test_breadcrumbs_are_the_agreements(self):
        """The page's tickets and invoices do not turn the breadcrumbs into
        another module's."""
        self.env["helpdesk.ticket"].create(
            {
                "name": "Printer jam",
                "description": "Jammed",
                "partner_id": self.contact_a.id,
                "msp_agreement_id": self.agreement_a.id,
            }
        )
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open(self.agreement_a.access_url)
        self.assertIn("Printer jam", response.text)
        self.assertIn('href="/my/agreements?', response.text)
        self.assertNotIn('href="/my/tickets?', response.text)

    def test_back_office_preview_and_share(self):
        action = self.agreement_a.with_user(self.manager).action_preview_portal()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(
            f"/my/agreements/{self.agreement_a.id}?access_token=", action["url"]
        )
        share = (
            self.env["portal.share"]
            .with_user(self.manager)
            .with_context(active_model="msp.agreement", active_id=self.agreement_a.id)
            .create({"partner_ids": [Command.set(self.contact_a.ids)]})
        )
        self.assertIn(self.agreement_a.access_token, share.share_link)
        response = self.url_open(share.share_link)
        self.assertIn("Tour Portal IT", response.text)

    def test_portal_rules(self):
        Agreement = self.env["msp.agreement"].with_user(self.portal_a)
        self.assertEqual(Agreement.search([]), self.agreement_a)
        self.agreement_a.with_user(self.portal_a).read(["name", "state"])
        with self.assertRaises(AccessError):
            self.agreement_b.with_user(self.portal_a).read(["name"])
        with self.assertRaises(AccessError):
            self.draft_a.with_user(self.portal_a).read(["name"])
        with self.assertRaises(AccessError):
            self.agreement_a.with_user(self.portal_a).write({"title": "Mine now"})
        with self.assertRaises(AccessError):
            self.agreement_a.addition_ids.with_user(self.portal_a).read(["quantity"])

    # ------------------------------------------------------------------
    # PDF
    # ------------------------------------------------------------------
    def test_pdf_for_the_owner_and_the_back_office(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open(
            f"{self.agreement_a.access_url}?report_type=pdf&download=true"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        # Under tests Odoo renders the report's HTML in place of the PDF
        # (ir.actions.report._render_qweb_pdf), so its content can be read.
        self.assertIn(self.agreement_a.name, response.text)
        self.assertIn("Tour seat", response.text)
        # the same report is printable from the back office
        report = self.env.ref("msp_psa.msp_agreement_report_action")
        self.assertEqual(report.binding_model_id.model, "msp.agreement")
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(report, self.agreement_a.ids)
        )
        self.assertIn(self.agreement_a.name, html.decode())
        self.assertIn("Tour seat", html.decode())

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    def _billing_state(self, agreement):
        return {
            "additions": [
                (a.product_id.id, a.quantity, a.price_unit, len(a.quantity_history_ids))
                for a in agreement.addition_ids
            ],
            "fields": agreement.read(
                ["fixed_fee", "mrr", "next_period_start", "next_invoice_date", "state"]
            ),
            "quantity_log": self.env["msp.agreement.addition.quantity"].search_count(
                [("addition_id.agreement_id", "=", agreement.id)]
            ),
        }

    def test_change_request_reaches_the_account_manager(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        url = self.agreement_a.access_url
        token = self._csrf_token(url)
        addition = self.agreement_a.addition_ids
        before = self._billing_state(self.agreement_a)
        Ticket = self.env["helpdesk.ticket"]
        tickets_before = Ticket.search([])
        response = self.url_open(
            f"{url}/change_request",
            data={
                "csrf_token": token,
                "description": "Add 3 users <b>for</b> the new branch",
                "addition_id": str(addition.id),
                "quantity": "15",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("your request was sent to", response.text)
        ticket = Ticket.search([]) - tickets_before
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.user_id, self.manager)
        self.assertEqual(ticket.msp_agreement_id, self.agreement_a)
        self.assertEqual(ticket.partner_id, self.contact_a)
        self.assertEqual(ticket.commercial_partner_id, self.client_a)
        self.assertTrue(ticket.msp_change_request)
        # and a draft change order for the account manager to price and send
        # for signature, the asked quantity as its line
        change = self.env["msp.agreement.change"].search(
            [("agreement_id", "=", self.agreement_a.id), ("origin", "=", "portal")]
        )
        self.assertEqual(len(change), 1)
        self.assertEqual(change.state, "draft")
        self.assertIn(ticket.number, change.note)
        self.assertEqual(
            [
                (line.action, line.addition_id, line.quantity)
                for line in change.line_ids
            ],
            [("quantity", addition, 15.0)],
        )
        # the confirmation is where the client is: next to the form, the page
        # opened on it, the ticket linked to its portal page
        page = html.fromstring(response.text)
        [sent] = page.xpath(
            "//section[@id='change_request']/div[@id='change_request_sent']"
        )
        self.assertIn("your request was sent to", sent.text_content())
        [link] = sent.xpath(".//a[hasclass('o_msp_change_request_ticket')]")
        self.assertEqual(link.get("href"), f"/my/ticket/{ticket.id}")
        self.assertEqual(link.text_content(), ticket.number)
        self.assertFalse(
            page.xpath("//div[hasclass('o_msp_change_request_sent')][not(@id)]"),
            "no second confirmation out of view at the top",
        )
        ticket_page = self.url_open(link.get("href"))
        self.assertEqual(ticket_page.status_code, 200)
        self.assertIn(ticket.number, ticket_page.text)
        self.assertIn(self.agreement_a.name, ticket.name)
        self.assertIn(
            "Add 3 users &lt;b&gt;for&lt;/b&gt; the new branch", ticket.description
        )
        self.assertIn("Requested quantity: 15", ticket.description)
        self.assertIn("Tour seat", ticket.description)
        # the agreement's chatter says so
        self.assertTrue(
            self.agreement_a.message_ids.filtered(
                lambda m: (
                    "Add 3 users" in (m.body or "") and m.author_id == self.contact_a
                )
            )
        )
        # nothing about billing changed
        self.agreement_a.invalidate_recordset()
        self.agreement_a.addition_ids.invalidate_recordset()
        self.assertEqual(self._billing_state(self.agreement_a), before)
        self.assertEqual(addition.quantity, 12)

    def test_change_request_redirects_to_the_confirmation(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        url = self.agreement_a.access_url
        token = self._csrf_token(url)
        response = self.url_open(
            f"{url}/change_request",
            data={"csrf_token": token, "description": "One more laptop"},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (302, 303))
        location = response.headers["Location"]
        self.assertIn("change_request=sent", location)
        self.assertTrue(location.endswith("#change_request_sent"), location)

    def test_change_request_keeps_its_agreement(self):
        """The ticket stays on the agreement asked about, even when another of
        the client's agreements covers the manager's team more specifically."""
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "MSP Service Desk", "user_ids": [Command.link(self.manager.id)]}
        )
        specific = self._create_agreement(
            self.client_a, "Team Desk A", date.today().replace(day=1), quantity=1
        )
        specific.team_ids = team
        ticket = self.agreement_a._msp_create_change_request(
            self.contact_a, "Remove a device"
        )
        ticket.flush_recordset()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.team_id, team)
        self.assertEqual(ticket.user_id, self.manager)
        self.assertEqual(ticket.msp_agreement_id, self.agreement_a)
        # a ticket left to the mapping would have gone to the other one
        plain = self.env["helpdesk.ticket"].create(
            {
                "name": "Plain",
                "description": "Plain",
                "partner_id": self.contact_a.id,
                "user_id": self.manager.id,
            }
        )
        self.assertEqual(plain.msp_agreement_id, specific)

    def test_empty_change_request_creates_nothing(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        url = self.agreement_a.access_url
        token = self._csrf_token(url)
        Ticket = self.env["helpdesk.ticket"]
        count = Ticket.search_count([])
        messages = len(self.agreement_a.message_ids)
        for data in (
            {"description": "   "},
            {"description": "Fewer seats", "quantity": "-2"},
            {"description": "Fewer seats", "quantity": "many"},
            {"description": "Fewer seats", "quantity": "nan"},
            {"description": "Fewer seats", "quantity": "inf"},
        ):
            response = self.url_open(
                f"{url}/change_request", data={"csrf_token": token, **data}
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("o_msp_change_request_error", response.text)
            self.assertNotIn("o_msp_change_request_sent", response.text)
        self.assertEqual(Ticket.search_count([]), count)
        self.agreement_a.invalidate_recordset()
        self.assertEqual(len(self.agreement_a.message_ids), messages)

    def test_change_request_on_another_clients_agreement(self):
        self.authenticate("msp_portal_a", "msp_portal_a")
        token = self._csrf_token(self.agreement_a.access_url)
        count = self.env["helpdesk.ticket"].search_count([])
        response = self.url_open(
            f"{self.agreement_b.access_url}/change_request",
            data={"csrf_token": token, "description": "Cancel it all"},
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (303, 302))
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    # ------------------------------------------------------------------
    # Browser
    # ------------------------------------------------------------------
    def test_portal_tour(self):
        Ticket = self.env["helpdesk.ticket"]
        count = Ticket.search_count([("msp_agreement_id", "=", self.agreement_a.id)])
        self.start_tour("/my", "msp_portal_tour", login="msp_portal_a")
        ticket = Ticket.search(
            [("msp_agreement_id", "=", self.agreement_a.id)], order="id desc", limit=1
        )
        self.assertEqual(
            Ticket.search_count([("msp_agreement_id", "=", self.agreement_a.id)]),
            count + 1,
        )
        self.assertTrue(ticket.msp_change_request)
        self.assertEqual(ticket.user_id, self.manager)
        self.assertIn("Add 3 users for the new branch", ticket.description)
        self.assertEqual(self.agreement_a.addition_ids.quantity, 12)

    def test_no_foreign_ticket_on_the_page(self):
        """The confirmation links only a change request of this agreement."""
        other = self.env["helpdesk.ticket"].create(
            {
                "name": "Secret ticket of B",
                "description": "B only",
                "partner_id": self.contact_b.id,
                "msp_agreement_id": self.agreement_b.id,
            }
        )
        self.authenticate("msp_portal_a", "msp_portal_a")
        response = self.url_open(
            f"{self.agreement_a.access_url}?change_request=sent&ticket_id={other.id}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(other.number, response.text)

    # ------------------------------------------------------------------
    # Demo
    # ------------------------------------------------------------------
    def test_demo_client_portal(self):
        """The README's demo login sees Contoso's agreement with real numbers."""
        user = self.env.ref(
            "msp_psa.user_portal_contoso_demo", raise_if_not_found=False
        )
        if not user:
            self.skipTest("demo data not loaded")
        agreement = self.env.ref("msp_psa.agreement_contoso_demo")
        self.assertTrue(user._is_portal())
        self.authenticate("portal_contoso", "portal_contoso")
        response = self.url_open("/my/agreements")
        self.assertIn(agreement.name, response.text)
        self.assertNotIn(
            self.env.ref("msp_psa.agreement_acme_demo").name, response.text
        )
        response = self.url_open(agreement.access_url)
        self.assertEqual(response.status_code, 200)
        seats = agreement.addition_ids.filtered(
            lambda a: a.quantity_source == "counted"
        )
        self.assertGreater(seats.quantity, 0)
        self.assertIn("Counted from your", response.text)
        self.assertIn("o_msp_block_hours_remaining", response.text)
        self.assertIn(
            self.env.ref("msp_psa.ticket_contoso_vpn_demo").name, response.text
        )

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------
    def _create_counted_agreement(self, title, kinds):
        """An active agreement with one counted addition per kind, each counting
        two current items of the client, and a block of hours."""
        env = self.env
        env["msp.managed.item"].create(
            [
                {
                    "name": f"{title} {kind.code} {number}",
                    "partner_id": self.client_a.id,
                    "kind_id": kind.id,
                    "active_from": date.today() - timedelta(days=30),
                }
                for kind in kinds
                for number in (1, 2)
            ]
        )
        agreement = env["msp.agreement"].create(
            {
                "title": title,
                "partner_id": self.client_a.id,
                "user_id": self.manager.id,
                "date_start": date.today().replace(day=1),
                "billing_model": "per_user",
                "block_hours": 5,
                "addition_ids": [
                    Command.create(
                        {
                            "product_id": env["product.product"]
                            .create(
                                {
                                    "name": f"{title} {kind.code}",
                                    "type": "service",
                                    "list_price": 10.0,
                                }
                            )
                            .id,
                            "quantity_source": "counted",
                            "kind_id": kind.id,
                        }
                    )
                    for kind in kinds
                ],
            }
        )
        agreement.action_activate()
        return agreement

    def _page_query_count(self, agreement):
        """Queries the agreement's page takes, its caches warm."""
        self.url_open(agreement.access_url)
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        response = self.url_open(agreement.access_url)
        count = self.env.cr.sql_log_count - before
        self.assertEqual(response.status_code, 200)
        return count, response.text

    def test_page_queries_do_not_grow_with_additions(self):
        """The page's values are read in batches: an agreement with five counted
        additions takes no more queries than one with one."""
        kinds = self.env["msp.managed.item.kind"].create(
            [{"name": f"Query kind {n}", "code": f"query_kind_{n}"} for n in range(5)]
        )
        one = self._create_counted_agreement("One addition", kinds[:1])
        five = self._create_counted_agreement("Five additions", kinds)
        self.assertEqual(len(five.addition_ids), 5)
        self.authenticate("msp_portal_a", "msp_portal_a")
        count_one, text_one = self._page_query_count(one)
        count_five, text_five = self._page_query_count(five)
        # every addition shows the items it counts
        self.assertEqual(text_one.count("o_msp_counted_items"), 1)
        self.assertEqual(text_five.count("o_msp_counted_items"), 5)
        self.assertIn("Five additions query_kind_4 2", text_five)
        self.assertLessEqual(count_five, count_one)
