# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import xmlrpc.client
from contextlib import contextmanager
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from .common import MspPsaCommon

RPC_FAULT_CODE_WARNING = 2


@tagged("post_install", "-at_install")
class TestEscalation(MspPsaCommon):
    """Price escalation once per anniversary: applied exactly once however
    often the nightly action runs, missed anniversaries caught up in order,
    cap and floor, the index formula to the cent, what cannot apply reported
    with its reason, the notice sent once, exempt additions untouched, only
    managers apply by hand, bad rules refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Row = cls.env["msp.agreement.escalation"]
        cls.index = cls.env["msp.price.index"].create({"name": "Test CPI"})

    def _agreement(self, fee=450.0, seats=3, **vals):
        vals = {
            "fixed_fee": fee,
            "fee_product_id": self.product_fee.id,
            "term_months": 0,
            "escalation_rule": "fixed",
            "escalation_percent": 3.0,
            **vals,
        }
        agreement = self._create_agreement(**vals)
        if seats:
            self._create_addition(
                agreement,
                quantity=seats,
                price_unit=25.0,
                date_start=agreement.date_start,
            )
        agreement.action_activate()
        return agreement

    def _index_values(self, values, index=None):
        self.env["msp.price.index.value"].create(
            [
                {"index_id": (index or self.index).id, "date": day, "value": value}
                for day, value in values
            ]
        )

    def _run(self, agreement, day, times=1):
        # On the day itself, as the nightly action runs: a price dated today
        # is in force at once (a later one waits for its day in the log).
        for _ in range(times):
            with freeze_time(day):
                self.Agreement._cron_apply_escalations(
                    date_ref=day, agreement_ids=agreement.ids
                )
        self.env.invalidate_all()

    def _rows(self, agreement):
        return [
            (str(r.anniversary), r.state, r.reason or "")
            for r in agreement.escalation_ids.sorted("anniversary")
        ]

    def _lines(self, row):
        return [
            (line.component, line.price_old, line.price_new) for line in row.line_ids
        ]

    # ------------------------------------------------------------------
    # Exactly once, catch-up
    # ------------------------------------------------------------------
    def test_applied_once_with_cron_run_five_times(self):
        agreement = self._agreement(date_start=date(2025, 1, 1))
        seat = agreement.addition_ids
        self.assertEqual(agreement.escalation_date_next, date(2026, 1, 1))
        self._run(agreement, date(2026, 1, 5), times=5)
        self.assertEqual(self._rows(agreement), [("2026-01-01", "applied", "")])
        self.assertEqual(agreement.fixed_fee, 463.5)
        self.assertEqual(seat.price_unit, 25.75)
        row = agreement.escalation_ids
        self.assertEqual(
            self._lines(row), [("fee", 450.0, 463.5), ("addition", 25.0, 25.75)]
        )
        self.assertEqual(row.percent, 3.0)
        self.assertEqual(row.user_id, self.env.user)
        self.assertTrue(row.date_applied)
        # MRR: 450 + 3 × 25 = 525.00 → 463.50 + 3 × 25.75 = 540.75
        self.assertEqual(
            (row.mrr_old, row.mrr_new, row.mrr_impact), (525.0, 540.75, 15.75)
        )
        self.assertEqual(agreement.escalation_date_next, date(2027, 1, 1))
        # the next year, once more, from the escalated prices
        self._run(agreement, date(2027, 1, 1), times=5)
        self.assertEqual(agreement.fixed_fee, 477.41)  # 463.50 × 1.03 = 477.405
        self.assertEqual(len(agreement.escalation_ids), 2)

    def test_unique_anniversary_in_the_database(self):
        agreement = self._agreement(date_start=date(2025, 1, 1))
        self._run(agreement, date(2026, 1, 1))
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Row.sudo().create(
                {"agreement_id": agreement.id, "anniversary": "2026-01-01"}
            )
            self.env.flush_all()

    def test_catch_up_of_two_missed_anniversaries(self):
        agreement = self._agreement(fee=100.0, seats=0, date_start=date(2024, 3, 1))
        self._run(agreement, date(2026, 12, 2), times=2)
        self.assertEqual(
            self._rows(agreement),
            [("2025-03-01", "applied", ""), ("2026-03-01", "applied", "")],
        )
        first, second = agreement.escalation_ids.sorted("anniversary")
        self.assertEqual(self._lines(first), [("fee", 100.0, 103.0)])
        self.assertEqual(self._lines(second), [("fee", 103.0, 106.09)])
        self.assertEqual(agreement.fixed_fee, 106.09)
        self.assertEqual(agreement.escalation_date_next, date(2027, 3, 1))

    def test_chosen_date_and_leap_day(self):
        agreement = self._agreement(
            fee=100.0,
            seats=0,
            date_start=date(2027, 6, 1),
            escalation_anchor="date",
            escalation_date=date(2028, 2, 29),
        )
        self.assertEqual(agreement.escalation_date_next, date(2028, 2, 29))
        self._run(agreement, date(2029, 3, 1))
        self.assertEqual(
            self._rows(agreement),
            [("2028-02-29", "applied", ""), ("2029-02-28", "applied", "")],
        )
        self.assertEqual(agreement.escalation_date_next, date(2030, 2, 28))

    # ------------------------------------------------------------------
    # Index, cap, floor
    # ------------------------------------------------------------------
    def test_index_formula_to_the_cent(self):
        self._index_values(
            [
                (date(2026, 1, 1), 118.9),
                (date(2026, 6, 1), 121.0),
                (date(2026, 12, 1), 123.4),
            ]
        )
        agreement = self._agreement(
            seats=0,
            date_start=date(2026, 1, 1),
            billing_model="block_hours",
            block_hours=5.0,
            block_price=600.0,
            escalation_rule="index",
            escalation_index_id=self.index.id,
        )
        self._run(agreement, date(2027, 1, 2))
        row = agreement.escalation_ids
        self.assertEqual(row.state, "applied")
        # the values in force on 1 Jan 2027 (dated 1 Dec 2026) and 1 Jan 2026
        self.assertEqual(
            (row.index_date_now, row.index_value_now),
            (date(2027, 1, 1), 123.4),
        )
        self.assertEqual(
            (row.index_date_before, row.index_value_before),
            (date(2026, 1, 1), 118.9),
        )
        # 450.00 × 123.4 / 118.9 = 467.0311 → 467.03; 600.00 × … = 622.7085 → 622.71
        self.assertEqual(
            self._lines(row), [("fee", 450.0, 467.03), ("block", 600.0, 622.71)]
        )
        self.assertEqual((agreement.fixed_fee, agreement.block_price), (467.03, 622.71))
        self.assertEqual(row.index_id, self.index)

    def test_cap_and_floor(self):
        self._index_values([(date(2026, 1, 1), 100.0), (date(2027, 1, 1), 108.5)])
        falling = self.env["msp.price.index"].create({"name": "Falling"})
        self._index_values(
            [(date(2026, 1, 1), 100.0), (date(2027, 1, 1), 98.0)], index=falling
        )
        band = {
            "escalation_rule": "index",
            "escalation_use_cap": True,
            "escalation_cap_percent": 5.0,
            "escalation_use_floor": True,
            "escalation_floor_percent": 0.0,
            "date_start": date(2026, 1, 1),
            "seats": 0,
            "fee": 600.0,
        }
        capped = self._agreement(escalation_index_id=self.index.id, **band)
        floored = self._agreement(escalation_index_id=falling.id, **band)
        self._run(capped | floored, date(2027, 1, 1))
        self.assertEqual(capped.fixed_fee, 630.0)
        self.assertAlmostEqual(capped.escalation_ids.percent_computed, 8.5)
        self.assertEqual(capped.escalation_ids.percent, 5.0)
        self.assertEqual(floored.fixed_fee, 600.0)
        self.assertAlmostEqual(floored.escalation_ids.percent_computed, -2.0)
        self.assertEqual(floored.escalation_ids.percent, 0.0)
        self.assertEqual(floored.escalation_ids.state, "applied")

    def test_missing_index_not_applied_with_reason(self):
        # only this year's value: nothing in force a year before
        self._index_values([(date(2026, 12, 1), 123.4)])
        agreement = self._agreement(
            date_start=date(2026, 1, 1),
            escalation_rule="index",
            escalation_index_id=self.index.id,
        )
        self._run(agreement, date(2027, 1, 3), times=3)
        self.assertEqual(
            self._rows(agreement), [("2027-01-01", "not_applied", "missing_index")]
        )
        row = agreement.escalation_ids
        self.assertEqual(
            row.reason_note, "Test CPI has no value on or before 2026-01-01"
        )
        # nothing applied
        self.assertEqual(agreement.fixed_fee, 450.0)
        self.assertEqual(agreement.addition_ids.price_unit, 25.0)
        self.assertEqual(row.line_ids.mapped("price_new"), [450.0, 25.0])
        # it is on the report of escalations not applied
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_agreement_escalation_not_applied_action"
        )
        self.assertIn("search_default_not_applied", action["context"])
        self.assertIn(row, self.Row.search([("state", "=", "not_applied")]))
        # the accountant enters the value: the next night applies it, once
        self._index_values([(date(2025, 12, 1), 119.8)])
        self._run(agreement, date(2027, 1, 4), times=2)
        self.assertEqual(self._rows(agreement), [("2027-01-01", "applied", "")])
        self.assertEqual(agreement.fixed_fee, 463.52)  # 450 × 123.4 / 119.8

    def test_missing_index_blocks_the_next_anniversary(self):
        # 2026: nothing in force on 1 Jan 2025; 2027 could apply, but not before 2026
        self._index_values([(date(2025, 12, 1), 119.8), (date(2026, 12, 1), 123.4)])
        agreement = self._agreement(
            seats=0,
            date_start=date(2025, 1, 1),
            escalation_rule="index",
            escalation_index_id=self.index.id,
        )
        self._run(agreement, date(2027, 1, 3))
        self.assertEqual(
            self._rows(agreement),
            [
                ("2026-01-01", "not_applied", "missing_index"),
                ("2027-01-01", "not_applied", "blocked"),
            ],
        )
        self.assertEqual(agreement.fixed_fee, 450.0)

    def test_suspended_reported_not_applied(self):
        agreement = self._agreement(date_start=date(2025, 1, 1))
        agreement.action_suspend()
        self._run(agreement, date(2026, 1, 2), times=2)
        self.assertEqual(
            self._rows(agreement), [("2026-01-01", "not_applied", "suspended")]
        )
        self.assertEqual(agreement.fixed_fee, 450.0)

    def test_exempt_addition_untouched(self):
        agreement = self._agreement(date_start=date(2025, 1, 1))
        licence = self._create_addition(
            agreement,
            product=self.product_device,
            quantity=10,
            price_unit=12.5,
            date_start=date(2025, 1, 1),
            escalation_exempt=True,
        )
        one_time = self._create_addition(
            agreement,
            product=self.product_setup,
            recurrence="one_time",
            price_unit=300.0,
            date_start=date(2025, 1, 1),
        )
        self._run(agreement, date(2026, 1, 1))
        self.assertEqual(licence.price_unit, 12.5)
        self.assertEqual(one_time.price_unit, 300.0)
        row = agreement.escalation_ids
        self.assertNotIn(licence, row.line_ids.addition_id)
        self.assertEqual(len(row.line_ids), 2)  # the fee and the seats
        # MRR with the licence at its unchanged price:
        # 450 + 75 + 125 → 463.50 + 77.25 + 125
        self.assertEqual((row.mrr_old, row.mrr_new), (650.0, 665.75))

    # ------------------------------------------------------------------
    # Notice
    # ------------------------------------------------------------------
    def _mails(self, row):
        return self.env["mail.mail"].search(
            [("model", "=", "msp.agreement.escalation"), ("res_id", "in", row.ids)]
        )

    def test_notice_sent_once_per_anniversary(self):
        agreement = self._agreement(
            date_start=date(2026, 1, 1), escalation_notice_days=30
        )
        self.assertEqual(agreement.escalation_date_notice, date(2026, 12, 2))
        self._run(agreement, date(2026, 12, 1))
        self.assertFalse(agreement.escalation_ids, "not before the notice date")
        for day in (date(2026, 12, 2), date(2026, 12, 2), date(2026, 12, 15)):
            self._run(agreement, day, times=2)
        row = agreement.escalation_ids
        self.assertEqual(self._rows(agreement), [("2027-01-01", "planned", "")])
        self.assertEqual(row.notice_date, date(2026, 12, 2))
        mails = self._mails(row)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.client)
        self.assertIn("change on", mails.subject)
        self.assertIn("463.50", mails.body_html)
        self.assertIn("25.75", mails.body_html)
        self.assertIn(self.env.company.currency_id.symbol, mails.body_html)
        # prices unchanged until the day
        self.assertEqual(agreement.fixed_fee, 450.0)
        self._run(agreement, date(2027, 1, 1), times=3)
        self.assertEqual(self._rows(agreement), [("2027-01-01", "applied", "")])
        self.assertEqual(row.notice_date, date(2026, 12, 2))
        self.assertEqual(agreement.fixed_fee, 463.5)
        self.assertEqual(len(self._mails(row)), 1)
        # the next year's notice is its own, once
        self._run(agreement, date(2027, 12, 10), times=2)
        self.assertEqual(len(agreement.escalation_ids), 2)
        self.assertEqual(len(self._mails(agreement.escalation_ids)), 2)

    def test_notice_in_the_client_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.client.lang = "fr_FR"
        agreement = self._agreement(date_start=date(2026, 1, 1))
        self._run(agreement, date(2026, 12, 5))
        mail = self._mails(agreement.escalation_ids)
        self.assertEqual(len(mail), 1)
        # French number format: 463,50
        self.assertIn("463,50", mail.body_html)

    # ------------------------------------------------------------------
    # Dry run and manual apply
    # ------------------------------------------------------------------
    def test_dry_run_lists_without_writing(self):
        due = self._agreement(date_start=date(2025, 11, 15))
        later = self._agreement(date_start=date(2026, 1, 10), escalation_percent=2.0)
        preview = self.env["msp.escalation.preview"].create(
            {
                "date_from": date(2026, 11, 1),
                "date_to": date(2027, 1, 31),
                "agreement_ids": [Command.set((due | later).ids)],
            }
        )
        preview.action_preview()
        lines = preview.line_ids.sorted("anniversary")
        self.assertEqual(
            [(line.agreement_id, str(line.anniversary)) for line in lines],
            [(due, "2026-11-15"), (later, "2027-01-10")],
        )
        first = lines[0]
        self.assertTrue(first.due and first.applicable)
        self.assertEqual(
            first.prices,
            f"Monthly Fixed Fee: $\xa0450.00 → $\xa0463.50\n"
            f"{due.addition_ids.display_name}: $\xa025.00 → $\xa025.75",
        )
        self.assertEqual(
            (first.mrr_old, first.mrr_new, first.mrr_impact), (525.0, 540.75, 15.75)
        )
        self.assertFalse(lines[1].due)
        # 450 × 1.02 = 459.00, 25 × 1.02 = 25.50: 525.00 → 535.50
        self.assertEqual(lines[1].mrr_impact, 10.5)
        self.assertFalse((due | later).escalation_ids, "a dry run writes nothing")
        self.assertEqual(due.fixed_fee, 450.0)

    def test_only_managers_apply(self):
        agreement = self._agreement(date_start=date(2025, 11, 15))
        window = {
            "date_from": date(2026, 11, 1),
            "date_to": date(2026, 12, 31),
            "agreement_ids": [Command.set(agreement.ids)],
        }
        Preview = self.env["msp.escalation.preview"]
        preview = Preview.with_user(self.msp_user).create(window)
        preview.action_preview()
        self.assertEqual(preview.due_count, 1, "a user may look")
        with self.assertRaisesMsg(AccessError, "Only an MSP Manager"):
            preview.action_apply()
        with self.assertRaisesMsg(AccessError, "Only an MSP Manager"):
            agreement.with_user(self.msp_user).action_apply_escalations()
        self.env.invalidate_all()
        self.assertFalse(agreement.escalation_ids)
        self.assertEqual(agreement.fixed_fee, 450.0)
        Preview.with_user(self.msp_manager).create(window).action_apply()
        self.env.invalidate_all()
        self.assertEqual(self._rows(agreement), [("2026-11-15", "applied", "")])
        self.assertEqual(agreement.escalation_ids.user_id, self.msp_manager)
        self.assertEqual(agreement.fixed_fee, 463.5)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------
    def test_bad_rules_refused(self):
        agreement = self._agreement(date_start=date(2026, 1, 1))
        cases = [
            ({"escalation_percent": -150.0}, r"-150\.00 % would make prices negative"),
            (
                {
                    "escalation_use_cap": True,
                    "escalation_cap_percent": 2.0,
                    "escalation_use_floor": True,
                    "escalation_floor_percent": 3.0,
                },
                r"the cap \(2\.00 %\) is under the floor \(3\.00 %\)",
            ),
            ({"escalation_rule": "index"}, "choose the index"),
            (
                {"escalation_anchor": "date", "escalation_date": date(2025, 12, 1)},
                (
                    r"first escalation \(2025-12-01\) must come after the start "
                    r"\(2026-01-01\)"
                ),
            ),
            ({"escalation_notice_days": -1}, r"cannot be negative \(-1 days\)"),
        ]
        for vals, message in cases:
            with (
                self.subTest(vals=vals),
                self.assertRaisesMsg(ValidationError, message),
            ):
                agreement.write(vals)
        self.env.invalidate_all()
        self.assertEqual(
            (
                agreement.escalation_rule,
                agreement.escalation_percent,
                agreement.escalation_use_cap,
                agreement.escalation_anchor,
                agreement.escalation_notice_days,
            ),
            ("fixed", 3.0, False, "start", 30),
        )
        with self.assertRaisesMsg(ValidationError, r"not -2\.5"):
            self._index_values([(date(2026, 1, 1), -2.5)])
        self._index_values([(date(2026, 1, 1), 100.0)])
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self._index_values([(date(2026, 1, 1), 101.0)])
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestEscalationLock(TransactionCase):
    """The nightly action skips an agreement another worker holds (``SKIP
    LOCKED``) and applies it once on the next run. Another worker is another
    connection, which sees only committed data: the demo's Acme agreement,
    whose index escalation is due next month."""

    def setUp(self):
        super().setUp()
        self.acme = self.env.ref(
            "msp_psa.agreement_acme_demo", raise_if_not_found=False
        )
        if not self.acme:
            self.skipTest("demo data not installed")

    @contextmanager
    def _held_by_another_worker(self, agreement):
        cr = db_connect(self.env.cr.dbname).cursor()
        try:
            cr.execute("SET lock_timeout = '5s'")
            cr.execute(
                "SELECT id FROM msp_agreement WHERE id = %s FOR UPDATE", [agreement.id]
            )
            yield
        finally:
            cr.rollback()
            cr.close()

    def test_held_agreement_skipped_then_applied_once(self):
        acme = self.acme
        day = acme.escalation_date_next
        self.assertTrue(day, "the demo's Acme agreement escalates next month")
        fee = acme.fixed_fee
        Agreement = self.env["msp.agreement"]
        with self._held_by_another_worker(acme):
            Agreement._cron_apply_escalations(date_ref=day, agreement_ids=acme.ids)
        self.env.invalidate_all()
        self.assertFalse(acme.escalation_ids.filtered(lambda r: r.state == "applied"))
        self.assertEqual(acme.fixed_fee, fee)
        for _ in range(3):
            with freeze_time(day):
                Agreement._cron_apply_escalations(date_ref=day, agreement_ids=acme.ids)
        self.env.invalidate_all()
        applied = acme.escalation_ids.filtered(lambda r: r.state == "applied")
        self.assertEqual(len(applied), 1)
        self.assertEqual(applied.anniversary, day)
        # the demo's index: 123.4 on the anniversary against 119.8 a year before
        self.assertEqual(acme.fixed_fee, 463.52)
        m365 = self.env.ref("msp_psa.addition_acme_m365_demo")
        self.assertEqual(m365.price_unit, 26.0, "Microsoft 365 seats are exempt")


@tagged("post_install", "-at_install")
class TestEscalationHttp(HttpCase):
    """Over XML-RPC a bad rule is a user error naming the value, and nothing
    is written; the client sees the coming change on the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.env = env
        cls.manager = new_test_user(
            env,
            login="msp_escal_rpc",
            password="msp_escal_rpc_pw",
            groups="msp_psa.group_msp_psa_manager",
        )
        cls.client = env["res.partner"].create(
            {"name": "Escalation Dental", "is_company": True, "email": "e@d.test"}
        )
        cls.contact = env["res.partner"].create(
            {"name": "Eve Escal", "parent_id": cls.client.id, "email": "eve@d.test"}
        )
        cls.msp_user = new_test_user(
            env,
            login="msp_escal_user",
            password="msp_escal_user_pw",
            groups="msp_psa.group_msp_psa_user",
        )
        cls.portal = new_test_user(
            env,
            login="msp_escal_portal",
            password="msp_escal_portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.agreement = env["msp.agreement"].create(
            {
                "title": "Escalating IT",
                "partner_id": cls.client.id,
                "date_start": date(2026, 1, 1),
                "term_months": 0,
                "fixed_fee": 450.0,
                "escalation_rule": "fixed",
                "escalation_percent": 3.0,
            }
        )
        cls.agreement.action_activate()

    def _call(self, method, args, user=None, password="msp_escal_rpc_pw"):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/2/object", allow_none=True
        )
        return proxy.execute_kw(
            self.env.cr.dbname,
            (user or self.manager).id,
            password,
            "msp.agreement",
            method,
            args,
        )

    def test_rpc_bad_rules(self):
        cases = [
            ({"escalation_percent": -150}, "-150.00 % would make prices negative"),
            (
                {
                    "escalation_use_cap": True,
                    "escalation_cap_percent": 1,
                    "escalation_use_floor": True,
                    "escalation_floor_percent": 2,
                },
                "the cap (1.00 %) is under the floor (2.00 %)",
            ),
            ({"escalation_rule": "index"}, "choose the index"),
            (
                {"escalation_anchor": "date", "escalation_date": "2025-06-30"},
                "must come after the start",
            ),
        ]
        for vals, message in cases:
            with self.subTest(vals=vals):
                with self.assertRaises(xmlrpc.client.Fault) as cm:
                    self._call("write", [[self.agreement.id], vals])
                fault = cm.exception
                self.assertEqual(
                    fault.faultCode, RPC_FAULT_CODE_WARNING, fault.faultString
                )
                self.assertIn(message, fault.faultString)
        self.env.invalidate_all()
        self.assertEqual(
            (self.agreement.escalation_rule, self.agreement.escalation_percent),
            ("fixed", 3.0),
        )
        self.assertFalse(self.agreement.escalation_use_cap)

    def test_rpc_apply_managers_only_and_never_early(self):
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call(
                "action_apply_escalations",
                [[self.agreement.id]],
                user=self.msp_user,
                password="msp_escal_user_pw",
            )
        self.assertIn(
            "Only an MSP Manager can apply price escalations", cm.exception.faultString
        )
        # a manager: the anniversary (1 Jan 2027) has not come, nothing applies
        self.assertTrue(self._call("action_apply_escalations", [[self.agreement.id]]))
        self.env.invalidate_all()
        self.assertFalse(
            self.agreement.escalation_ids.filtered(lambda r: r.state == "applied")
        )
        self.assertEqual(self.agreement.fixed_fee, 450.0)

    def test_portal_shows_the_coming_change(self):
        self.env["msp.agreement"]._cron_apply_escalations(
            date_ref=date(2026, 12, 5), agreement_ids=self.agreement.ids
        )
        self.assertEqual(self.agreement.escalation_ids.state, "planned")
        self.authenticate("msp_escal_portal", "msp_escal_portal")
        text = self.url_open(self.agreement.access_url).text
        self.assertIn("Coming price change", text)
        self.assertIn("463.50", text)
        self.assertIn("+3.00\xa0%", text)


@tagged("post_install", "-at_install")
class TestEscalationBilled(MspPsaCommon):
    """An escalation, end to end: the nightly action logs the new prices in
    the dated price history from the anniversary, and the billing engine
    settles the period billed in advance on the next invoice, to the cent —
    fee and seats, monthly and quarterly."""

    def _agreement(self, cycle):
        agreement = self._create_agreement(
            billing_model="per_user",
            billing_cycle=cycle,
            fixed_fee=100.0,
            fee_product_id=self.product_fee.id,
            term_months=0,
            escalation_rule="fixed",
            escalation_percent=10.0,
            escalation_anchor="date",
            escalation_date=date(2026, 2, 15),
        )
        self._create_addition(agreement, quantity=10, price_unit=30.0)
        agreement.action_activate()
        return agreement

    def _bill(self, agreement, day):
        with freeze_time(day):
            run = self.env["msp.billing.run"].create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreement.ids)
        return run.invoice_ids

    def _escalate(self, agreement, day):
        for _ in range(3):
            with freeze_time(day):
                self.Agreement._cron_apply_escalations(
                    date_ref=fields.Date.to_date(day), agreement_ids=agreement.ids
                )

    def test_monthly_anniversary_in_a_billed_month_settled_next_invoice(self):
        agreement = self._agreement("monthly")
        self._bill(agreement, "2026-01-01")
        february = self._bill(agreement, "2026-02-01")
        self.assertEqual(february.amount_untaxed, 400.0)
        self._escalate(agreement, "2026-02-15")
        self.assertEqual(len(agreement.escalation_ids), 1)
        self.assertEqual(agreement.escalation_ids.state, "applied")
        march = self._bill(agreement, "2026-03-01")
        # Fee: 10.00 more a month for 15–28 Feb (14/28) = 5.00; seats: 10 ×
        # 3.00 more for the same days = 15.00; March at the new prices: 110 +
        # 10 × 33 = 440.00.
        self.assertEqual(march.amount_untaxed, 460.0)
        settled = march.invoice_line_ids.filtered("msp_price_change")
        self.assertEqual(sorted(settled.mapped("price_subtotal")), [5.0, 15.0])
        self.assertEqual(set(settled.mapped("start_date")), {date(2026, 2, 15)})
        # February's invoice is never re-priced.
        self.assertEqual(february.amount_untaxed, 400.0)
        self.assertFalse(self._bill(agreement, "2026-03-01"), "settled once")

    def test_quarterly_anniversary_in_a_billed_quarter_settled_next_invoice(self):
        agreement = self._agreement("quarterly")
        q1 = self._bill(agreement, "2026-01-01")
        self.assertEqual(q1.amount_untaxed, 1200.0)
        self._escalate(agreement, "2026-02-15")
        q2 = self._bill(agreement, "2026-04-01")
        # 15 Feb – 31 Mar is 14/28 + 1 = 1.5 months: fee 10 × 1.5 = 15.00
        # (5.00 for February's days, 10.00 for March), seats 10 × 3 × 1.5 =
        # 45.00; Q2 at the new prices: 3 × 440 = 1,320.
        self.assertEqual(q2.amount_untaxed, 1380.0)
        self.assertEqual(
            sorted(
                q2.invoice_line_ids.filtered("msp_price_change").mapped(
                    "price_subtotal"
                )
            ),
            [5.0, 10.0, 45.0],
        )
