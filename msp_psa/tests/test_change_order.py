# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import re
import shutil
import subprocess
import xmlrpc.client
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger
from odoo.tools.misc import formatLang

from .common import MspPsaCommon

# Odoo's XML-RPC fault code of a UserError (ValidationError included).
RPC_FAULT_CODE_WARNING = 2
# A 1×1 transparent PNG: a signature as the portal's widget sends it.
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
    "kgAAAABJRU5ErkJggg=="
)


@tagged("post_install", "-at_install")
class TestChangeOrder(MspPsaCommon):
    """A change order's price impact is the billing engine's, it is applied on
    its effective date through the dated logs once, and the next invoice
    charges or credits the difference to the cent; declined or expired, it
    changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Change = cls.env["msp.agreement.change"]
        cls.Run = cls.env["msp.billing.run"]
        cls.Log = cls.env["msp.agreement.addition.quantity"]

    def _agreement(self):
        """Monthly in advance from 1 Jan 2026: a 100.00 fee and 10 seats at
        25.00 (MRR 350.00), January and February billed."""
        agreement = self._create_agreement(
            fixed_fee=100.0, fee_product_id=self.product_fee.id
        )
        seats = self._create_addition(agreement, quantity=10, price_unit=25.0)
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        self._run(agreement, "2026-02-01")
        return agreement, seats

    def _run(self, agreement, day):
        with freeze_time(day):
            run = self.Run.create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreement.ids)
        return run.invoice_ids.filtered(lambda m: m.msp_agreement_id == agreement)

    def _change(self, agreement, day, lines, **vals):
        return self.Change.create(
            {
                "agreement_id": agreement.id,
                "date_effective": day,
                "line_ids": [Command.create(line) for line in lines],
                **vals,
            }
        )

    def _state(self, agreement):
        """What a change order must leave alone when it changes nothing."""
        self.env.invalidate_all()
        return {
            "additions": [
                (a.product_id.id, a.quantity, a.price_unit, a.date_start, a.date_end)
                for a in agreement.addition_ids
            ],
            "log": self.Log.search_count(
                [("addition_id", "in", agreement.addition_ids.ids)]
            ),
            "fee": agreement.fixed_fee,
            "end": agreement.date_end,
            "settle_from": agreement.addition_ids.mapped("settle_from"),
        }

    # ------------------------------------------------------------------
    # Price impact
    # ------------------------------------------------------------------
    @freeze_time("2026-02-10")
    def test_impact_is_the_engines_and_writes_nothing(self):
        agreement, seats = self._agreement()
        before = self._state(agreement)
        change = self._change(
            agreement,
            "2026-02-15",
            [{"action": "quantity", "addition_id": seats.id, "quantity": 13}],
        )
        self.assertEqual(change.name[:4], "CHG/")
        self.assertEqual(change.mrr_before, 350.0)
        self.assertEqual(change.mrr_after, 425.0)
        self.assertEqual(change.mrr_delta, 75.0)
        # March's invoice: 3 more seats for March (75.00) and 3 × 25.00 ×
        # 14/28 days for 15–28 Feb, billed already (37.50)
        self.assertEqual(change.impact_invoice_date, date(2026, 3, 1))
        self.assertEqual(change.impact_amount, 112.5)
        self.assertFalse(change.impact_message)
        self.assertEqual(
            change.line_ids.description, "Per-User Support: quantity 10 → 13"
        )
        self.assertEqual(self._state(agreement), before)
        self.assertEqual(agreement.mrr, 350.0)
        self.assertEqual(
            change.display_name, f"Change {change.name} to {agreement.name}"
        )

    @freeze_time("2026-02-10")
    def test_impact_of_new_and_removed_services(self):
        agreement, seats = self._agreement()
        before = self._state(agreement)
        change = self._change(
            agreement,
            "2026-03-01",
            [
                {"action": "remove", "addition_id": seats.id},
                {
                    "action": "add",
                    "product_id": self.product_device.id,
                    "quantity": 4,
                    "price_unit": 12.5,
                },
            ],
        )
        # from March: the fee and 4 devices at 12.50
        self.assertEqual(change.mrr_after, 150.0)
        self.assertEqual(change.impact_invoice_date, date(2026, 3, 1))
        self.assertEqual(change.impact_amount, -200.0)
        self.assertEqual(
            change.line_ids.mapped("description"),
            [
                "Remove Per-User Support",
                "Add 4 × Per-Device Monitoring at %s a month"
                % formatLang(self.env, 12.5, currency_obj=agreement.currency_id),
            ],
        )
        self.assertEqual(self._state(agreement), before)

    # ------------------------------------------------------------------
    # Accepted → applied → billed
    # ------------------------------------------------------------------
    def test_signed_upgrade_applied_on_its_day_and_billed_to_the_cent(self):
        agreement, seats = self._agreement()
        with freeze_time("2026-02-10"):
            change = self._change(
                agreement,
                "2026-02-15",
                [{"action": "quantity", "addition_id": seats.id, "quantity": 13}],
            )
            change.action_send()
            self.assertEqual(change.state, "sent")
            self.assertTrue(change.access_token)
            # mailed to the client with the link to its portal page
            message = change.message_ids.filtered(
                lambda m: m.message_type == "comment"
            )[:1]
            self.assertEqual(message.partner_ids, self.client)
            self.assertIn(change.name, message.subject)
            self.assertIn(
                f"/my/agreements/changes/{change.id}?access_token="
                f"{change.access_token}",
                message.body,
            )
            self.assertIn("Per-User Support: quantity 10 → 13", message.body)
            change._msp_accept_signed("Ana Acme", SIGNATURE)
            # effective on the 15th: accepted, not applied yet
            self.assertEqual(change.state, "accepted")
            self.assertEqual(change.signed_by, "Ana Acme")
            self.assertEqual(seats.quantity, 10)
        with freeze_time("2026-02-14"):
            self.Change._cron_apply_due()
            self.assertEqual(change.state, "accepted")
        with freeze_time("2026-02-15"):
            self.Change._cron_apply_due()
            self.Change._cron_apply_due()  # twice: once
        self.assertEqual(change.state, "applied")
        self.assertEqual(seats.quantity, 13)
        self.assertEqual(self._history(seats)[-1], ("2026-02-15", 10.0, 13.0, "api"))
        self.assertEqual(len(self._history(seats)), 2)
        self.assertEqual(
            seats.quantity_history_ids.sorted("id")[-1].note,
            f"Change order {change.name}",
        )
        move = self._run(agreement, "2026-03-01")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.amount_untaxed, 350.0 + change.impact_amount)
        self.assertEqual(move.amount_untaxed, 462.5)
        settled = move.invoice_line_ids.filtered(
            lambda x: str(x.start_date) == "2026-02-15"
        )
        self.assertEqual(settled.price_subtotal, 37.5)
        self.assertEqual(str(settled.end_date), "2026-02-28")

    def test_downgrade_accepted_on_behalf_credits_to_the_cent(self):
        agreement, seats = self._agreement()
        with freeze_time("2026-02-20"):
            change = self._change(
                agreement,
                "2026-02-15",
                [{"action": "quantity", "addition_id": seats.id, "quantity": 6}],
            )
            # March's 4 seats fewer (-100.00) and 4 × 25.00 × 14/28 days back
            self.assertEqual(change.impact_amount, -150.0)
            self.assertEqual(change.mrr_after, 250.0)
            change.with_user(self.msp_user).accept_on_behalf(
                "Agreed by phone with Ana on 20 Feb"
            )
        # back-dated: applied at once
        self.assertEqual(change.state, "applied")
        self.assertEqual(change.accepted_by_user_id, self.msp_user)
        self.assertEqual(change.acceptance_note, "Agreed by phone with Ana on 20 Feb")
        self.assertFalse(change.signed_by)
        self.assertEqual(seats.quantity, 6)
        self.assertEqual(seats.settle_from, date(2026, 2, 15))
        move = self._run(agreement, "2026-03-01")
        self.assertEqual(move.amount_untaxed, 200.0)
        credit = move.invoice_line_ids.filtered(
            lambda x: str(x.start_date) == "2026-02-15"
        )
        self.assertEqual(credit.price_subtotal, -50.0)
        self.assertIn(
            "4 removed 15 Feb, 15–28 Feb 2026: -4 × 25.00 × 14/28 days", credit.name
        )
        with self.assertRaisesMsg(UserError, "was applied already"):
            change.accept_on_behalf("again")
        self.assertEqual(change._msp_apply(), self.Change)

    def test_new_service_fee_and_term(self):
        agreement, seats = self._agreement()
        with freeze_time("2026-03-01"):
            change = self._change(
                agreement,
                "2026-03-01",
                [
                    {"action": "remove", "addition_id": seats.id},
                    {
                        "action": "add",
                        "product_id": self.product_device.id,
                        "quantity": 4,
                    },
                    {"action": "fee", "price_unit": 120.0},
                    {"action": "term", "date_end": "2027-06-30"},
                ],
            )
            change.accept_on_behalf("Signed on paper")
        self.assertEqual(change.state, "applied")
        self.assertEqual(seats.date_end, date(2026, 2, 28))
        device = agreement.addition_ids - seats
        self.assertEqual(device.date_start, date(2026, 3, 1))
        self.assertEqual(device.quantity, 4)
        self.assertEqual(device.price_unit, 12.5)
        self.assertEqual(agreement.fixed_fee, 120.0)
        self.assertEqual(agreement.date_end, date(2027, 6, 30))
        move = self._run(agreement, "2026-03-01")
        self.assertEqual(move.amount_untaxed, 170.0)

    # ------------------------------------------------------------------
    # Nothing changes
    # ------------------------------------------------------------------
    @freeze_time("2026-02-10")
    def test_declined_changes_nothing(self):
        agreement, seats = self._agreement()
        before = self._state(agreement)
        change = self._change(
            agreement,
            "2026-02-10",
            [{"action": "quantity", "addition_id": seats.id, "quantity": 20}],
        )
        change.action_send()
        with self.assertRaisesMsg(ValidationError, "Reason for declining is empty"):
            change._msp_decline("  ")
        self.assertEqual(change.state, "sent")
        change._msp_decline("Too expensive this year")
        self.assertEqual(change.state, "declined")
        self.assertEqual(change.decline_reason, "Too expensive this year")
        self.Change._cron_apply_due()
        with self.assertRaisesMsg(UserError, "declined: it cannot be accepted"):
            change._msp_accept_signed("Ana Acme", SIGNATURE)
        self.assertEqual(self._state(agreement), before)

    def test_expired_changes_nothing(self):
        agreement, seats = self._agreement()
        with freeze_time("2026-02-10"):
            change = self._change(
                agreement,
                "2026-02-10",
                [{"action": "quantity", "addition_id": seats.id, "quantity": 20}],
                validity_date="2026-02-12",
            )
            change.action_send()
        before = self._state(agreement)
        with freeze_time("2026-02-13"):
            with self.assertRaisesMsg(UserError, "expired on 2026-02-12"):
                change._msp_accept_signed("Ana Acme", SIGNATURE)
            self.Change._cron_apply_due()
        self.assertEqual(change.state, "expired")
        self.assertFalse(change.signed_by)
        with self.assertRaisesMsg(UserError, "expired: it cannot be accepted"):
            change.accept_on_behalf("late")
        self.assertEqual(self._state(agreement), before)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    @freeze_time("2026-02-10")
    def test_bad_input_is_refused_and_nothing_written(self):
        agreement, seats = self._agreement()
        before = self._state(agreement)
        count = self.Change.search_count([])
        with self.assertRaisesMsg(
            ValidationError, r"2025-12-31, before agreement .* starts \(2026-01-01\)"
        ):
            self._change(agreement, "2025-12-31", [])
        with self.assertRaisesMsg(
            ValidationError, r"2027-01-01, after agreement .* ends \(2026-12-31\)"
        ):
            self._change(agreement, "2027-01-01", [])
        with self.assertRaisesMsg(ValidationError, r"cannot be negative \(-2.0\)"):
            self._change(
                agreement,
                "2026-02-10",
                [{"action": "quantity", "addition_id": seats.id, "quantity": -2}],
            )
        other = self._create_agreement(partner_id=self.other_client.id)
        stranger = self._create_addition(other, quantity=1)
        with self.assertRaisesMsg(ValidationError, "is not a service of agreement"):
            self._change(
                agreement,
                "2026-02-10",
                [{"action": "remove", "addition_id": stranger.id}],
            )
        self.assertEqual(self.Change.search_count([]), count)
        self.assertEqual(self._state(agreement), before)

    @freeze_time("2026-02-10")
    def test_only_a_manager_accepts_a_price_for_the_client(self):
        agreement, seats = self._agreement()
        change = self._change(
            agreement,
            "2026-02-10",
            [{"action": "price", "addition_id": seats.id, "price_unit": 27.0}],
        )
        with self.assertRaises(AccessError):
            change.with_user(self.msp_user).accept_on_behalf("Agreed")
        self.assertEqual(change.state, "draft")
        self.assertEqual(seats.price_unit, 25.0)
        change.with_user(self.msp_manager).accept_on_behalf("Agreed")
        self.assertEqual(change.state, "applied")
        self.assertEqual(seats.price_unit, 27.0)

    @freeze_time("2026-02-10")
    def test_portal_request_creates_a_draft_for_staff(self):
        agreement, _seats = self._agreement()
        agreement.user_id = self.msp_user
        with self.assertRaisesMsg(
            ValidationError, 'Desired date: "soon" is not a date'
        ):
            self.Change._msp_create_portal_request(
                agreement, self.client_contact, "More seats", "soon"
            )
        change = self.Change._msp_create_portal_request(
            agreement, self.client_contact, "  Five more seats  ", "2026-03-01"
        )
        self.assertEqual(change.origin, "portal")
        self.assertEqual(change.state, "draft")
        self.assertEqual(change.note, "Five more seats")
        self.assertEqual(change.date_effective, date(2026, 3, 1))
        self.assertEqual(change.activity_ids.user_id, self.msp_user)


@tagged("post_install", "-at_install")
class TestChangeOrderPortal(HttpCase):
    """The portal: a client sees and signs only its own company's proposals;
    signing applies the change and the next invoice bills it to the cent; bad
    calls write nothing. Staff's API is checked over XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.env = env
        Partner = env["res.partner"]
        cls.client_a = Partner.create({"name": "Change Dental", "is_company": True})
        cls.contact_a = Partner.create(
            {"name": "Carla Change", "parent_id": cls.client_a.id, "email": "c@a.test"}
        )
        cls.client_b = Partner.create({"name": "Change Other", "is_company": True})
        cls.contact_b = Partner.create(
            {"name": "Bert Other", "parent_id": cls.client_b.id, "email": "b@b.test"}
        )
        cls.portal_a = new_test_user(
            env,
            login="msp_change_a",
            password="msp_change_a",
            groups="base.group_portal",
            partner_id=cls.contact_a.id,
        )
        cls.portal_b = new_test_user(
            env,
            login="msp_change_b",
            password="msp_change_b",
            groups="base.group_portal",
            partner_id=cls.contact_b.id,
        )
        cls.staff = new_test_user(
            env,
            login="msp_change_staff",
            password="msp_change_staff_pw",
            groups="msp_psa.group_msp_psa_user",
        )
        cls.seat = env["product.product"].create(
            {"name": "Change seat", "type": "service", "list_price": 30.0}
        )
        start = date.today().replace(day=1) - timedelta(days=31)
        start = start.replace(day=1)
        cls.agreement_a = cls._agreement(cls.client_a, start)
        cls.agreement_b = cls._agreement(cls.client_b, start)
        cls.seats_a = cls.agreement_a.addition_ids
        cls.seats_b = cls.agreement_b.addition_ids
        today = date.today()
        cls.change_a = cls._send(cls.agreement_a, cls.seats_a, today, 12)
        cls.change_b = cls._send(cls.agreement_b, cls.seats_b, today, 2)

    @classmethod
    def _agreement(cls, client, start):
        agreement = cls.env["msp.agreement"].create(
            {
                "title": f"{client.name} IT",
                "partner_id": client.id,
                "date_start": start,
                "addition_ids": [
                    Command.create(
                        {"product_id": cls.seat.id, "quantity": 10, "price_unit": 30.0}
                    )
                ],
            }
        )
        agreement.action_activate()
        cls.env["msp.billing.run"]._run_agreements(agreement)
        return agreement

    @classmethod
    def _send(cls, agreement, seats, day, quantity):
        change = cls.env["msp.agreement.change"].create(
            {
                "agreement_id": agreement.id,
                "date_effective": day,
                "line_ids": [
                    Command.create(
                        {
                            "action": "quantity",
                            "addition_id": seats.id,
                            "quantity": quantity,
                        }
                    )
                ],
            }
        )
        change.action_send()
        return change

    def _accept(self, change, **params):
        return self.make_jsonrpc_request(
            f"/my/agreements/changes/{change.id}/accept",
            {"name": "Carla Change", "signature": SIGNATURE, **params},
        )

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def test_client_signs_and_next_invoice_bills_it(self):
        self.authenticate("msp_change_a", "msp_change_a")
        page = self.url_open(self.agreement_a.access_url)
        self.assertIn(self.change_a.name, page.text)
        self.assertNotIn(self.change_b.name, page.text)
        page = self.url_open(self.change_a.access_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Change seat: quantity 10 → 12", page.text)
        self.assertIn("o_msp_change_sign", page.text)
        impact = self.change_a.impact_amount
        self.assertGreater(impact, 0)
        result = self._accept(self.change_a)
        self.assertTrue(result.get("force_refresh"), result)
        self.env.invalidate_all()
        self.assertEqual(self.change_a.state, "applied")
        self.assertEqual(self.change_a.signed_by, "Carla Change")
        self.assertTrue(self.change_a.signature)
        self.assertEqual(self.seats_a.quantity, 12)
        # the next invoice: 12 seats for next month and 2 × 30.00 × the days
        # left of this month, billed already, to the cent
        today = date.today()
        next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        month_days = (next_month - today.replace(day=1)).days
        days_left = (next_month - today).days
        settled = round(2 * 30.0 * days_left / month_days + 1e-9, 2)
        self.assertEqual(self.change_a.impact_invoice_date, next_month)
        self.assertAlmostEqual(impact, 60.0 + settled, places=2)
        with freeze_time(next_month):
            run = self.env["msp.billing.run"].create(
                {"date": next_month, "trigger": "manual"}
            )
            run._run(agreement_ids=self.agreement_a.ids)
        move = run.invoice_ids
        self.assertEqual(len(move), 1)
        self.assertAlmostEqual(move.amount_untaxed, 300.0 + impact, places=2)
        self.assertAlmostEqual(move.amount_untaxed, 360.0 + settled, places=2)
        page = self.url_open(f"{self.change_a.access_url}?message=signed")
        self.assertIn("o_msp_change_signed", page.text)
        self.assertIn("Carla Change", self.url_open(self.agreement_a.access_url).text)

    def test_other_clients_proposal_is_denied_and_untouched(self):
        self.authenticate("msp_change_a", "msp_change_a")
        response = self.url_open(self.change_b.access_url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertTrue(response.headers["Location"].endswith("/my"))
        result = self._accept(self.change_b)
        self.assertEqual(result, {"error": "Invalid change order."})
        result = self._accept(self.change_b, access_token="not-the-token")
        self.assertEqual(result, {"error": "Invalid change order."})
        token = self._csrf(self.change_a.access_url)
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/my/agreements/changes/{self.change_b.id}/decline",
                data={"csrf_token": token, "decline_reason": "Not mine"},
                allow_redirects=False,
            )
        self.assertEqual(response.status_code, 404)
        response = self.url_open(
            f"/my/agreements/{self.agreement_b.id}/changes/request",
            data={"csrf_token": token, "request": "Give me theirs"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.env.invalidate_all()
        self.assertEqual(self.change_b.state, "sent")
        self.assertFalse(self.change_b.signed_by)
        self.assertFalse(self.change_b.decline_reason)
        self.assertEqual(self.seats_b.quantity, 10)
        self.assertFalse(
            self.env["msp.agreement.change"].search(
                [("agreement_id", "=", self.agreement_b.id), ("origin", "=", "portal")]
            )
        )

    def test_token_holder_signs_without_login(self):
        result = self._accept(self.change_b, access_token=self.change_b.access_token)
        self.assertTrue(result.get("force_refresh"), result)
        self.env.invalidate_all()
        self.assertEqual(self.change_b.state, "applied")

    def test_bad_signature_and_decline_from_the_portal(self):
        self.authenticate("msp_change_a", "msp_change_a")
        result = self._accept(self.change_a, name="  ")
        self.assertEqual(result, {"error": "Your name is empty."})
        result = self._accept(self.change_a, signature=None)
        self.assertEqual(
            result, {"error": "Your signature is missing: sign in the box first."}
        )
        self.env.invalidate_all()
        self.assertEqual(self.change_a.state, "sent")
        token = self._csrf(self.change_a.access_url)
        url = f"/my/agreements/changes/{self.change_a.id}/decline"
        response = self.url_open(url, data={"csrf_token": token})
        self.assertIn("Reason for declining is empty.", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.change_a.state, "sent")
        response = self.url_open(
            url, data={"csrf_token": token, "decline_reason": "Wrong count"}
        )
        self.assertIn("o_msp_change_declined", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.change_a.state, "declined")
        self.assertEqual(self.change_a.decline_reason, "Wrong count")
        self.assertEqual(self.seats_a.quantity, 10)

    def test_client_request_becomes_a_draft(self):
        self.authenticate("msp_change_a", "msp_change_a")
        token = self._csrf(self.agreement_a.access_url)
        url = f"/my/agreements/{self.agreement_a.id}/changes/request"
        response = self.url_open(
            url, data={"csrf_token": token, "request": "More seats", "date": "tomorrow"}
        )
        self.assertIn("Desired date: &#34;tomorrow&#34; is not a date", response.text)
        Change = self.env["msp.agreement.change"]
        domain = [("agreement_id", "=", self.agreement_a.id), ("origin", "=", "portal")]
        self.assertFalse(Change.search(domain))
        day = date.today() + timedelta(days=3)
        response = self.url_open(
            url,
            data={"csrf_token": token, "request": "Three more seats", "date": str(day)},
        )
        self.assertIn("o_msp_change_order_requested", response.text)
        change = Change.search(domain)
        self.assertEqual(len(change), 1)
        self.assertEqual(change.state, "draft")
        self.assertEqual(change.note, "Three more seats")
        self.assertEqual(change.date_effective, day)
        self.assertEqual(change.contact_id, self.contact_a)
        # a draft is the MSP's: the client does not see it as a proposal
        self.assertNotIn(change.name, self.url_open(self.agreement_a.access_url).text)

    # ------------------------------------------------------------------
    # XML-RPC
    # ------------------------------------------------------------------
    def _call(self, method, args, kwargs=None):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/2/object", allow_none=True
        )
        return proxy.execute_kw(
            self.env.cr.dbname,
            self.staff.id,
            "msp_change_staff_pw",
            "msp.agreement.change",
            method,
            args,
            kwargs or {},
        )

    def assertRefused(self, method, args, message):
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call(method, args)
        fault = cm.exception
        self.assertEqual(fault.faultCode, RPC_FAULT_CODE_WARNING, fault.faultString)
        self.assertNotIn("Traceback", fault.faultString)
        self.assertRegex(fault.faultString, message)

    def test_rpc_bad_input(self):
        agreement = self.agreement_a
        count = self.env["msp.agreement.change"].search_count([])
        self.assertRefused(
            "create",
            [{"agreement_id": agreement.id, "date_effective": "2000-01-01"}],
            r"cannot take effect on 2000-01-01, before agreement",
        )
        self.assertRefused(
            "create",
            [
                {
                    "agreement_id": agreement.id,
                    "date_effective": str(date.today()),
                    "line_ids": [
                        [
                            0,
                            0,
                            {
                                "action": "add",
                                "product_id": self.seat.id,
                                "quantity": -1,
                            },
                        ]
                    ],
                }
            ],
            r"the quantity cannot be negative \(-1.0\)",
        )
        self.assertRefused(
            "accept_on_behalf",
            [[self.change_a.id], ""],
            r"^Acceptance note is empty.$",
        )
        self.assertRefused(
            "accept_on_behalf",
            [[self.change_a.id], ["not", "text"]],
            r"^Acceptance note: \['not', 'text'\] is not text.$",
        )
        self.assertRefused("decline", [[self.change_a.id], 42], "is not text")
        self.env.invalidate_all()
        self.assertEqual(self.env["msp.agreement.change"].search_count([]), count)
        self.assertEqual(self.change_a.state, "sent")
        self.assertEqual(self.seats_a.quantity, 10)
        self.assertTrue(
            self._call("accept_on_behalf", [[self.change_a.id], "Agreed by mail"])
        )
        self.env.invalidate_all()
        self.assertEqual(self.change_a.state, "applied")
        self.assertRefused(
            "accept_on_behalf", [[self.change_a.id], "again"], "was applied already"
        )

    # ------------------------------------------------------------------
    # PDF
    # ------------------------------------------------------------------
    def test_pdf_says_what_changes_and_what_it_costs(self):
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        if Report.get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed")
        if not shutil.which("pdftotext"):
            self.skipTest("pdftotext is not installed (Debian's poppler-utils)")
        for bundle in ("web.report_assets_common", "web.report_assets_pdf"):
            self.env["ir.qweb"]._get_asset_bundle(bundle, css=True, js=False).css()
        change = self.change_a
        change._msp_accept_signed("Carla Change", SIGNATURE)
        pdf, report_type = Report._render_qweb_pdf(
            "msp_psa.msp_agreement_change_report_action", change.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        text = re.sub(r"\s+", " ", text)
        self.assertIn(f"Change order {change.name}", text)
        self.assertIn("Change seat: quantity 10 → 12", text)
        self.assertIn("Accepted and signed", text)
        self.assertIn("By Carla Change", text)
        symbol = change.currency_id.symbol
        self.assertRegex(text, r"Monthly recurring amount after .*360\.00")
        self.assertIn(symbol, text)
        self.assertEqual(base64.b64decode(change.signature)[:4], b"\x89PNG")
