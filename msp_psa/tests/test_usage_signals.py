# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import xmlrpc.client
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from .common import MspPsaCommon

TODAY = "2026-10-15"


@tagged("post_install", "-at_install")
class TestUsageSignals(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Signal = cls.env["msp.usage.signal"]
        cls.env.company.write({"msp_signal_growth_pct": 20, "msp_signal_burn_days": 7})

    def _agreement(self, **vals):
        with freeze_time("2026-01-01"):
            agreement = self._create_agreement(**vals)
            agreement.action_activate()
        return agreement

    def _scan(self, agreement, day=TODAY):
        """The night's scan on ``day``: the signals it raised on ``agreement``
        (the demo's agreements are scanned too)."""
        with freeze_time(day):
            found = self.Signal._cron_scan_usage_signals()
        return found.filtered(lambda s: s.agreement_id == agreement)

    def _signals(self, agreement):
        return self.Signal.search([("agreement_id", "=", agreement.id)])

    def _timesheet(self, agreement, day, hours):
        project = self.env["project.project"].create({"name": "Support"})
        return self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": project.id,
                "date": day,
                "unit_amount": hours,
                "msp_agreement_id": agreement.id,
                "employee_id": self.env["hr.employee"].create({"name": "Tech"}).id,
            }
        )

    # ------------------------------------------------------------------
    # Detection
    # ------------------------------------------------------------------
    def test_under_billing_once_and_dismissed_episode_not_raised_again(self):
        agreement = self._agreement(billing_model="per_user")
        self._create_addition(
            agreement, quantity=5, price_unit=25.0, date_start="2026-01-01"
        )
        self._create_items(7, kind=self.kind_user)
        signal = self._scan(agreement)
        self.assertEqual(signal.kind, "under_billing")
        self.assertEqual(signal.agreement_id, agreement)
        self.assertEqual(signal.evidence, {"billed": 5.0, "counted": 7, "missing": 2.0})
        self.assertEqual(
            signal.summary, "Per-User Support billed for 5 but 7 managed items counted"
        )
        self.assertIn("<td>Items counted</td><td>7</td>", signal.evidence_html)
        self.assertEqual((signal.current_quantity, signal.suggested_quantity), (5, 7))
        self.assertEqual(signal.monthly_impact, 50.0)
        self.assertEqual(signal.date, date(2026, 10, 15))
        # the next nights: nothing new
        self.assertFalse(self._scan(agreement))
        self.assertFalse(self._scan(agreement, "2026-10-16"))
        wizard = self.env["msp.usage.signal.dismiss"].create(
            {
                "signal_ids": [Command.set(signal.ids)],
                "reason": "Two are shared mailboxes",
            }
        )
        wizard.action_dismiss()
        self.assertEqual(signal.state, "dismissed")
        self.assertEqual(signal.dismiss_reason, "Two are shared mailboxes")
        self.assertEqual(signal.dismissed_by_id, self.env.user)
        self.assertFalse(self._scan(agreement, "2026-10-17"))
        # one more user: a new episode
        self._create_items(1, kind=self.kind_user, name="new user")
        again = self._scan(agreement, "2026-10-18")
        self.assertEqual(again.evidence["counted"], 8)
        self.assertEqual(len(self._signals(agreement)), 2)

    def test_growth_of_a_counted_quantity(self):
        agreement = self._agreement()
        addition = self._create_addition(
            agreement,
            self.product_device,
            quantity_source="counted",
            kind_id=self.kind_ws.id,
            price_unit=12.5,
            date_start="2026-01-01",
        )
        self._create_items(5)
        self._create_items(2, active_from="2026-10-05")
        self.env.company.msp_signal_growth_pct = 50
        self.assertFalse(self._scan(agreement))  # +40 %
        self.env.company.msp_signal_growth_pct = 40
        signal = self._scan(agreement)
        self.assertEqual(signal.kind, "growth")
        self.assertEqual(signal.addition_id, addition)
        self.assertEqual(
            signal.evidence,
            {
                "from": 5.0,
                "to": 7.0,
                "growth_pct": 40.0,
                "series": [
                    ["2026-07-17", 5.0],
                    ["2026-08-16", 5.0],
                    ["2026-09-15", 5.0],
                    ["2026-10-15", 7.0],
                ],
            },
        )
        self.assertEqual(
            signal.summary, "Per-Device Monitoring up from 5 to 7 in 90 days (40.0 %)"
        )
        self.assertIn("<td>2026-07-17</td><td>5</td>", signal.evidence_html)
        self.assertEqual(signal.suggested_quantity, 9)
        self.assertEqual(signal.monthly_impact, 25.0)
        with freeze_time(TODAY):
            vals = signal._prepare_change_vals()
        self.assertEqual(
            vals,
            {
                "agreement_id": agreement.id,
                "date_effective": date(2026, 11, 1),
                "origin": "signal",
                "note": signal.summary,
                # A counted quantity follows the client's fleet by itself: no
                # quantity to propose, the opportunity is the follow-up.
                "line_ids": [],
            },
        )
        with self.assertRaisesRegex(UserError, "suggests no change"):
            signal.action_create_change_order()
        self.assertFalse(self._scan(agreement))

    def test_repeated_overage(self):
        agreement = self._agreement(
            billing_model="block_hours",
            block_hours=10.0,
            block_price=1000.0,
            block_product_id=self.product_fee.id,
            overage_rate=150.0,
        )
        self._timesheet(agreement, "2026-07-10", 12.0)
        self._timesheet(agreement, "2026-08-10", 5.0)
        self._timesheet(agreement, "2026-09-10", 11.0)
        signal = self._scan(agreement)
        self.assertEqual(signal.kind, "overage")
        self.assertEqual([h for _p, h in signal.evidence["series"]], [2.0, 0.0, 1.0])
        self.assertEqual(signal.evidence["periods_over"], 2)
        self.assertEqual(signal.evidence["average_overage"], 1.5)
        self.assertEqual((signal.current_quantity, signal.suggested_quantity), (10, 12))
        self.assertEqual(signal.monthly_impact, 200.0)
        with freeze_time(TODAY):
            vals = signal._prepare_change_vals()
        self.assertEqual(
            vals["line_ids"],
            [
                (
                    0,
                    0,
                    {
                        "action": "block",
                        "quantity": 12.0,
                        "price_unit": 1200.0,
                    },
                )
            ],
        )
        # The suggestion as a change order, accepted for the client from the
        # next period: 12 hours for 1,200.00 from 1 Nov, the price through
        # the dated price log.
        with freeze_time(TODAY):
            signal.action_create_change_order()
            change = signal.change_id
            self.assertEqual(change.origin, "signal")
            self.assertEqual(change.line_ids.action, "block")
            self.assertEqual(change.line_ids.quantity_before, 10.0)
            self.assertEqual(change.line_ids.price_before, 1000.0)
            self.assertEqual(
                signal.action_create_change_order()["res_id"], change.id, "one only"
            )
            change.action_send()
            change.accept_on_behalf("Agreed on the phone")
        self.assertEqual(change.state, "accepted")
        with freeze_time("2026-11-01"):
            change._cron_apply_due()
        self.assertEqual(change.state, "applied")
        self.assertEqual(agreement.block_hours, 12.0)
        entry = agreement.price_history_ids.filtered(lambda e: e.source == "change")
        self.assertEqual(
            (str(entry.date), entry.component, entry.price_old, entry.price_new),
            ("2026-11-01", "block", 1000.0, 1200.0),
        )
        self.assertFalse(self._scan(agreement))

    def test_block_running_out_early(self):
        agreement = self._agreement(
            billing_model="block_hours",
            block_hours=20.0,
            block_price=2000.0,
            block_product_id=self.product_fee.id,
        )
        self._timesheet(agreement, "2026-10-05", 8.0)
        self._timesheet(agreement, "2026-10-12", 8.0)
        # 4 h left at 16 h / 30 days: empty in 7.5 days, 16 days left
        signal = self._scan(agreement)
        self.assertEqual(signal.kind, "block_burn")
        self.assertEqual(
            signal.evidence,
            {
                "remaining": 4.0,
                "burn_per_day": 0.53,
                "days_to_empty": 7,
                "days_left": 16,
                "days_early": 8,
                "shortfall_hours": 5,
            },
        )
        self.assertEqual(signal.suggested_quantity, 25)
        self.env.company.msp_signal_burn_days = 9
        signal.dismiss("Seasonal peak")
        self.assertFalse(self._scan(agreement, "2026-10-16"))

    def test_tickets_per_user_rising(self):
        agreement = self._agreement(billing_model="per_user")
        self._create_items(2, kind=self.kind_user)
        tickets = self.env["helpdesk.ticket"].sudo()
        for month, count in (("2026-07-05", 2), ("2026-08-05", 3), ("2026-09-05", 4)):
            for n in range(count):
                ticket = tickets.create(
                    {
                        "name": f"Issue {month} {n}",
                        "description": "<p>Help</p>",
                        "partner_id": self.client_contact.id,
                    }
                )
                ticket.msp_agreement_id = agreement
                self.env.flush_all()
                self.env.cr.execute(
                    "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
                    [month, ticket.id],
                )
        signal = self._scan(agreement)
        self.assertEqual(signal.kind, "tickets_per_user")
        self.assertEqual(signal.evidence["ratios"], [1.0, 1.5, 2.0])
        self.assertEqual(signal.evidence["series"][0], ["2026-07", 2, 2, 1.0])
        self.assertEqual(
            signal.summary,
            "Tickets per user rising three months running: 1.0 → 1.5 → 2.0",
        )
        self.assertEqual(signal._prepare_change_vals()["line_ids"], [])

    def test_one_open_signal_per_kind_in_the_database(self):
        agreement = self._agreement(billing_model="per_user")
        vals = {"agreement_id": agreement.id, "kind": "growth", "date": TODAY}
        self.Signal.create({**vals, "episode": "a"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.Signal.create({**vals, "episode": "b"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.Signal.create({**vals, "episode": "a", "state": "dismissed"})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def test_opportunity_with_evidence(self):
        agreement = self._agreement(
            billing_model="per_user", user_id=self.msp_manager.id
        )
        self._create_addition(
            agreement, quantity=5, price_unit=25.0, date_start="2026-01-01"
        )
        self._create_items(7, kind=self.kind_user)
        signal = self._scan(agreement).with_user(self.msp_user)
        self.assertFalse(self.msp_user.has_group("sales_team.group_sale_salesman"))
        signal.action_create_opportunity()
        lead = signal.sudo().lead_id
        self.assertEqual(signal.state, "actioned")
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id, self.client)
        self.assertEqual(lead.user_id, self.msp_manager)
        self.assertEqual(
            lead.name,
            "Acme Dental: Per-User Support billed for 5 but 7 managed items counted",
        )
        self.assertIn(agreement.display_name, lead.description)
        self.assertIn("<td>Billed quantity</td><td>5</td>", lead.description)
        self.assertEqual(lead.expected_revenue, 600.0)
        with self.assertRaisesMsg(UserError, "only an open signal becomes"):
            signal.action_create_opportunity()

    def test_dismiss_needs_a_reason(self):
        agreement = self._agreement(billing_model="per_user")
        signal = self.Signal.create(
            {
                "agreement_id": agreement.id,
                "kind": "growth",
                "date": TODAY,
                "episode": "a",
            }
        )
        for reason in ("", "   ", None, 42):
            with self.assertRaisesMsg(UserError, "Give the reason"):
                signal.dismiss(reason)
        with self.assertRaisesMsg(UserError, "1001 characters long"):
            signal.dismiss("x" * 1001)
        self.assertEqual(signal.state, "open")
        signal.dismiss("Known")
        with self.assertRaisesMsg(UserError, "is not open"):
            signal.dismiss("Again")

    def test_other_company_signals_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other MSP"})
        theirs = self.env["msp.agreement"].create(
            {
                "title": "Their IT",
                "partner_id": self.other_client.id,
                "company_id": other.id,
                "journal_id": False,
                "date_start": "2026-01-01",
            }
        )
        signal = self.Signal.create(
            {"agreement_id": theirs.id, "kind": "growth", "date": TODAY, "episode": "x"}
        )
        mine = self.Signal.create(
            {
                "agreement_id": self._agreement().id,
                "kind": "growth",
                "date": TODAY,
                "episode": "y",
            }
        )
        Signal = self.Signal.with_user(self.msp_user)
        self.assertEqual(Signal.search([("id", "in", (signal | mine).ids)]), mine)
        with self.assertRaises(AccessError):
            Signal.browse(signal.id).read(["kind"])


@tagged("post_install", "-at_install")
class TestUsageSignalRpc(HttpCase):
    """``dismiss`` over XML-RPC: a missing reason is a user error naming it,
    and nothing is written."""

    def test_dismiss_over_xmlrpc(self):
        user = new_test_user(
            self.env,
            login="msp_signal_rpc",
            password="msp_signal_rpc_pw",
            groups="msp_psa.group_msp_psa_user",
        )
        client = self.env["res.partner"].create(
            {"name": "Rpc Dental", "is_company": True}
        )
        agreement = self.env["msp.agreement"].create(
            {"title": "Rpc IT", "partner_id": client.id, "date_start": "2026-01-01"}
        )
        signal = self.env["msp.usage.signal"].create(
            {
                "agreement_id": agreement.id,
                "kind": "growth",
                "date": TODAY,
                "episode": "r",
            }
        )
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/2/object", allow_none=True
        )

        def call(*args):
            return proxy.execute_kw(
                self.env.cr.dbname,
                user.id,
                "msp_signal_rpc_pw",
                "msp.usage.signal",
                "dismiss",
                [[signal.id], *args],
            )

        for bad in ("", None, 42, ["x"]):
            with self.assertRaises(xmlrpc.client.Fault) as cm:
                call(bad)
            self.assertEqual(cm.exception.faultCode, 2)
            self.assertEqual(
                cm.exception.faultString, "Give the reason for dismissing the signal."
            )
        signal.invalidate_recordset()
        self.assertEqual(signal.state, "open")
        self.assertTrue(call("Client declined"))
        signal.invalidate_recordset()
        self.assertEqual(signal.state, "dismissed")
        self.assertEqual(signal.dismiss_reason, "Client declined")
