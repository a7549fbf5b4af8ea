# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.msp_psa.models.msp_agreement_billing import MspAgreement

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestBilling(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]
        cls.Move = cls.env["account.move"]

    def _agreement(self, **vals):
        agreement = self._create_agreement(
            **{"fixed_fee": 500.0, "fee_product_id": self.product_fee.id, **vals}
        )
        return agreement

    def _run(self, agreements, day):
        """Run billing for ``agreements`` on ``day``: the engine of the cron."""
        with freeze_time(day):
            run = self.Run.create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreements.ids)
        return run

    def _lines(self, move):
        return [
            (
                line.name,
                line.quantity,
                line.price_unit,
                str(line.start_date),
                str(line.end_date),
            )
            for line in self._products(move).sorted(
                lambda line: (line.start_date, line.id)
            )
        ]

    def _products(self, move):
        return move.invoice_line_ids.filtered(lambda x: x.display_type == "product")

    def _layout(self, move):
        """The invoice as it reads: sections and product lines, in order."""
        return [
            (line.display_type, line.name.split(":")[0])
            for line in move.invoice_line_ids.sorted("sequence")
        ]

    # ------------------------------------------------------------------
    # Recurring fees and additions
    # ------------------------------------------------------------------
    def test_monthly_in_advance(self):
        agreement = self._agreement()
        self._create_addition(
            agreement, quantity=12, included_quantity=2, price_unit=25.0
        )
        agreement.action_activate()
        self.assertEqual(agreement.next_invoice_date, date(2026, 1, 1))
        run = self._run(agreement, "2026-01-01")
        move = run.invoice_ids
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.invoice_date, date(2026, 1, 1))
        self.assertEqual(move.partner_id, self.client)
        self.assertEqual(move.journal_id, self.journal)
        self.assertEqual(move.invoice_origin, agreement.name)
        self.assertEqual(
            self._lines(move),
            [
                (
                    "Managed Services Fee\n1–31 Jan 2026: 500.00",
                    1.0,
                    500.0,
                    "2026-01-01",
                    "2026-01-31",
                ),
                (
                    "Per-User Support\n1–31 Jan 2026: 10 × 25.00",
                    10.0,
                    25.0,
                    "2026-01-01",
                    "2026-01-31",
                ),
            ],
        )
        self.assertEqual(move.amount_untaxed, 750.0)
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_sale_a)
        self.assertEqual(agreement.next_period_start, date(2026, 2, 1))
        self.assertEqual(agreement.next_invoice_date, date(2026, 2, 1))
        self.assertEqual(
            [
                (str(p.date_start), str(p.date_end), p.move_id)
                for p in agreement.period_ids
            ],
            [("2026-01-01", "2026-01-31", move)],
        )
        # Run again, same day or the next: nothing more.
        self.assertFalse(self._run(agreement, "2026-01-01").invoice_ids)
        self.assertFalse(self._run(agreement, "2026-01-31").invoice_ids)
        self.assertEqual(agreement.invoice_count, 1)

    def test_stub_first_period(self):
        agreement = self._agreement(date_start=date(2026, 1, 17))
        self._create_addition(agreement, quantity=3, price_unit=25.0)
        agreement.action_activate()
        move = self._run(agreement, "2026-01-17").invoice_ids
        self.assertEqual(
            self._lines(move),
            [
                (
                    "Managed Services Fee\n17–31 Jan 2026: 500.00 × 15/31 days",
                    1.0,
                    241.94,
                    "2026-01-17",
                    "2026-01-31",
                ),
                (
                    "Per-User Support\n17–31 Jan 2026: 3 × 25.00 × 15/31 days",
                    1.0,
                    36.29,
                    "2026-01-17",
                    "2026-01-31",
                ),
            ],
        )
        self.assertEqual(agreement.next_invoice_date, date(2026, 2, 1))

    def test_advance_settles_changes_of_the_billed_period(self):
        agreement = self._agreement(fixed_fee=0.0)
        addition = self._create_addition(agreement, quantity=12, price_unit=25.0)
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        with freeze_time("2026-01-20"):
            addition.with_context(msp_quantity_date="2026-01-17").quantity = 15
        move = self._run(agreement, "2026-02-01").invoice_ids
        self.assertEqual(
            self._lines(move),
            [
                (
                    (
                        "Per-User Support\n3 added 17 Jan, 17–31 Jan 2026: "
                        "3 × 25.00 × 15/31 days"
                    ),
                    1.0,
                    36.29,
                    "2026-01-17",
                    "2026-01-31",
                ),
                (
                    "Per-User Support\n1–28 Feb 2026: 15 × 25.00",
                    15.0,
                    25.0,
                    "2026-02-01",
                    "2026-02-28",
                ),
            ],
        )
        self.assertEqual(move.amount_untaxed, 411.29)

    def test_arrears_prorates_inside_the_period(self):
        agreement = self._agreement(fixed_fee=0.0, billing_timing="arrears")
        addition = self._create_addition(agreement, quantity=10, price_unit=25.0)
        agreement.action_activate()
        with freeze_time("2026-01-20"):
            addition.with_context(msp_quantity_date="2026-01-17").quantity = 13
        self.assertFalse(self._run(agreement, "2026-01-31").invoice_ids)
        move = self._run(agreement, "2026-02-01").invoice_ids
        self.assertEqual(
            self._lines(move),
            [
                (
                    "Per-User Support\n1–16 Jan 2026: 10 × 25.00 × 16/31 days",
                    1.0,
                    129.03,
                    "2026-01-01",
                    "2026-01-16",
                ),
                (
                    "Per-User Support\n17–31 Jan 2026: 13 × 25.00 × 15/31 days",
                    1.0,
                    157.26,
                    "2026-01-17",
                    "2026-01-31",
                ),
            ],
        )
        self.assertEqual(move.invoice_date, date(2026, 2, 1))

    def test_counted_change_then_undo_nets_to_zero(self):
        agreement = self._agreement(fixed_fee=0.0)
        self._create_items(4)
        addition = self._create_addition(
            agreement,
            self.product_device,
            quantity_source="counted",
            kind_id=self.kind_ws.id,
            price_unit=31.0,
        )
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        with freeze_time("2026-01-20"):
            mistake = self._create_items(1, active_from="2026-01-17")
        feb = self._run(agreement, "2026-02-01").invoice_ids
        added = feb.invoice_line_ids.filtered(
            lambda line: line.start_date == date(2026, 1, 17)
        )
        self.assertEqual(added.price_unit, 15.0)  # 1 x 31.00 x 15/31
        with freeze_time("2026-02-10"):
            mistake.active = False
        mar = self._run(agreement, "2026-03-01").invoice_ids
        # The correction of February's own base is settled on the same invoice as
        # January's: March carries a credit for the mistaken days.
        credits = mar.invoice_line_ids.filtered(lambda line: line.price_unit < 0)
        jan_credit = credits.filtered(lambda line: line.start_date == date(2026, 1, 17))
        self.assertEqual(jan_credit.price_unit, -15.0)
        self.assertIn("1 removed 17 Jan", jan_credit.name)
        self.assertEqual(addition.quantity, 4.0)
        billed_jan = sum(
            line.price_subtotal
            for line in (feb | mar).invoice_line_ids
            if line.msp_addition_id == addition and line.end_date <= date(2026, 1, 31)
        )
        self.assertEqual(billed_jan, 0.0)

    def test_anchor_31_in_a_leap_february(self):
        agreement = self._agreement(
            fixed_fee=0.0, date_start=date(2028, 1, 31), anchor_day=31
        )
        self._create_addition(
            agreement, quantity=1, price_unit=29.0, date_start=date(2028, 2, 15)
        )
        agreement.action_activate()
        move = self._run(agreement, "2028-01-31").invoice_ids
        # 31 Jan - 28 Feb 2028 is the anchored month (29 days); 15-28 Feb is 14 of them.
        self.assertEqual(
            self._lines(move),
            [
                (
                    "Per-User Support\n15–28 Feb 2028: 1 × 29.00 × 14/29 days",
                    1.0,
                    14.0,
                    "2028-02-15",
                    "2028-02-28",
                )
            ],
        )
        self.assertEqual(agreement.next_period_start, date(2028, 2, 29))
        self.assertEqual(
            agreement._get_period_at(date(2028, 2, 29))[1], date(2028, 3, 30)
        )

    def test_quarterly_and_annual_cycles(self):
        quarterly = self._agreement(fixed_fee=100.0, billing_cycle="quarterly")
        annual = self._agreement(
            fixed_fee=100.0,
            billing_cycle="annual",
            date_start=date(2026, 3, 15),
            term_months=0,
        )
        (quarterly | annual).action_activate()
        q1 = self._run(quarterly, "2026-01-01").invoice_ids
        self.assertEqual(
            self._lines(q1),
            [
                (
                    "Managed Services Fee\n1 Jan – 31 Mar 2026: 100.00 × 3 months",
                    3.0,
                    100.0,
                    "2026-01-01",
                    "2026-03-31",
                )
            ],
        )
        self.assertEqual(q1.amount_untaxed, 300.0)
        self.assertEqual(quarterly.next_invoice_date, date(2026, 4, 1))
        stub = self._run(annual, "2026-03-15").invoice_ids
        self.assertEqual(stub.amount_untaxed, 54.84)  # 100 x 17/31
        self.assertEqual(annual.next_invoice_date, date(2026, 4, 1))
        year = self._run(annual, "2026-04-01").invoice_ids
        self.assertEqual(
            self._lines(year),
            [
                (
                    (
                        "Managed Services Fee\n1 Apr 2026 – 31 Mar 2027: "
                        "100.00 × 12 months"
                    ),
                    12.0,
                    100.0,
                    "2026-04-01",
                    "2027-03-31",
                )
            ],
        )
        self.assertEqual(year.amount_untaxed, 1200.0)

    def test_catch_up_and_end_of_term(self):
        agreement = self._agreement(term_months=3, auto_renew=False)
        with freeze_time("2026-01-01"):
            agreement.action_activate()
        move = self._run(agreement, "2026-05-10").invoice_ids
        # Jan, Feb, Mar: then the term ends; a section per month
        self.assertEqual(
            self._layout(move),
            [
                ("line_section", "Service period"),
                ("product", "Managed Services Fee\n1–31 Jan 2026"),
                ("line_section", "Service period"),
                ("product", "Managed Services Fee\n1–28 Feb 2026"),
                ("line_section", "Service period"),
                ("product", "Managed Services Fee\n1–31 Mar 2026"),
            ],
        )
        self.assertEqual(
            move.invoice_line_ids.filtered(lambda x: x.display_type == "line_section")
            .sorted("sequence")
            .mapped("name"),
            [
                "Service period: 1–31 Jan 2026",
                "Service period: 1–28 Feb 2026",
                "Service period: 1–31 Mar 2026",
            ],
        )
        self.assertEqual(move.amount_untaxed, 1500.0)
        self.assertEqual(len(agreement.period_ids), 3)
        self.assertFalse(agreement.next_invoice_date)

    def test_one_time_addition_billed_once(self):
        agreement = self._agreement(fixed_fee=0.0)
        self._create_addition(
            agreement,
            self.product_setup,
            recurrence="one_time",
            quantity=1,
            price_unit=300.0,
            date_start=date(2026, 1, 10),
        )
        agreement.action_activate()
        jan = self._run(agreement, "2026-01-01").invoice_ids
        self.assertFalse(jan, "a one-time addition effective later waits for its date")
        self.assertEqual(len(agreement.period_ids), 1)
        feb = self._run(agreement, "2026-02-01").invoice_ids
        self.assertEqual(feb.amount_untaxed, 300.0)
        self.assertFalse(self._run(agreement, "2026-03-01").invoice_ids)

    def test_foreign_currency(self):
        eur = self.setup_other_currency("EUR")
        journal = self.journal.copy({"code": "SEUR", "currency_id": eur.id})
        agreement = self._agreement(currency_id=eur.id, journal_id=journal.id)
        agreement.action_activate()
        move = self._run(agreement, "2026-01-01").invoice_ids
        self.assertEqual(move.currency_id, eur)
        self.assertEqual(move.amount_untaxed, 500.0)
        self.assertEqual(move.amount_untaxed_signed, 250.0)  # 2 EUR per company unit

    def test_more_credit_than_charge_makes_a_credit_note(self):
        agreement = self._agreement(fixed_fee=0.0, billing_cycle="quarterly")
        items = self._create_items(10)
        self._create_addition(
            agreement,
            quantity_source="counted",
            kind_id=self.kind_ws.id,
            price_unit=10.0,
        )
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        with freeze_time("2026-02-01"):
            items.write({"active_to": date(2026, 1, 31)})
        refund = self._run(agreement, "2026-04-01").invoice_ids
        self.assertEqual(refund.move_type, "out_refund")
        # 10 devices x 10.00 for Feb and Mar, credited
        self.assertEqual(refund.amount_untaxed, 200.0)

    # ------------------------------------------------------------------
    # Time and block hours
    # ------------------------------------------------------------------
    def _timesheet(self, agreement, day, hours, work_type=None, name="Work"):
        project = self.env["project.project"].create({"name": "Support"})
        return self.env["account.analytic.line"].create(
            {
                "name": name,
                "project_id": project.id,
                "date": day,
                "unit_amount": hours,
                "msp_agreement_id": agreement.id,
                "msp_work_type_id": work_type.id if work_type else False,
                "employee_id": self.env["hr.employee"].create({"name": "Tech"}).id,
            }
        )

    def test_time_and_materials_billed_once_and_released(self):
        remote = self.env.ref("msp_psa.work_type_remote")
        onsite = self.env.ref("msp_psa.work_type_onsite")
        labour = self._create_product(
            name="Remote labour", type="service", lst_price=80.0
        )
        agreement = self._agreement(
            fixed_fee=0.0,
            billing_model="time_materials",
            billing_timing="arrears",
            rate_ids=[
                Command.create(
                    {
                        "work_type_id": remote.id,
                        "product_id": labour.id,
                        "price_unit": 95.0,
                    }
                ),
                Command.create({"work_type_id": onsite.id, "covered": True}),
            ],
        )
        agreement.action_activate()
        billable = self._timesheet(agreement, "2026-01-05", 1.5, remote, "Printer down")
        self._timesheet(agreement, "2026-01-06", 2.0, onsite, "Onsite visit (covered)")
        later = self._timesheet(agreement, "2026-02-03", 1.0, remote, "Next month")
        move = self._run(agreement, "2026-02-01").invoice_ids
        time_lines = move.invoice_line_ids.filtered(
            lambda line: line.msp_line_kind == "time"
        )
        self.assertEqual(time_lines.mapped("quantity"), [1.5])
        self.assertEqual(time_lines.price_unit, 95.0)
        self.assertEqual(move.amount_untaxed, 142.5)
        self.assertEqual(billable.msp_invoice_line_id, time_lines)
        self.assertFalse(later.msp_invoice_line_id)
        # Cancelling releases the period and the time: the next run bills them again.
        move.button_cancel()
        self.assertFalse(billable.msp_invoice_line_id)
        self.assertEqual(agreement.next_period_start, date(2026, 1, 1))
        again = self._run(agreement, "2026-02-01").invoice_ids
        self.assertEqual(again.amount_untaxed, 142.5)
        self.assertEqual(billable.msp_invoice_line_id.move_id, again)

    def test_default_covered_rate_covers_only_untyped_time(self):
        project_work = self.env.ref("msp_psa.work_type_project")
        project_work.product_id = self._create_product(
            name="Project labour", type="service", lst_price=110.0
        )
        agreement = self._agreement(
            fixed_fee=0.0,
            billing_timing="arrears",
            rate_ids=[Command.create({"covered": True})],
        )
        agreement.action_activate()
        self._timesheet(agreement, "2026-01-05", 2.0)  # covered by the fee
        self._timesheet(agreement, "2026-01-06", 1.5, project_work, "Migration")
        move = self._run(agreement, "2026-02-01").invoice_ids
        line = move.invoice_line_ids
        self.assertEqual((line.quantity, line.price_unit), (1.5, 110.0))
        self.assertEqual(move.amount_untaxed, 165.0)

    def test_block_hours_and_overage(self):
        agreement = self._agreement(
            fixed_fee=0.0,
            billing_model="block_hours",
            block_hours=10.0,
            block_price=1000.0,
            block_product_id=self.product_fee.id,
            overage_rate=150.0,
        )
        agreement.action_activate()
        jan = self._run(agreement, "2026-01-01").invoice_ids
        self.assertEqual(jan.amount_untaxed, 1000.0)
        self._timesheet(agreement, "2026-01-10", 7.0)
        self._timesheet(agreement, "2026-01-20", 5.0)
        with freeze_time("2026-01-25"):  # the current block is January's
            agreement.invalidate_recordset(
                ["block_hours_used", "block_hours_remaining"]
            )
            self.assertEqual(agreement.block_hours_used, 12.0)
            self.assertEqual(agreement.block_hours_remaining, -2.0)
        feb = self._run(agreement, "2026-02-01").invoice_ids
        kinds = {line.msp_line_kind: line for line in feb.invoice_line_ids}
        self.assertEqual(kinds["block"].price_unit, 1000.0)
        self.assertEqual(kinds["block_usage"].quantity, 12.0)
        self.assertEqual(kinds["block_usage"].price_subtotal, 0.0)
        self.assertEqual(kinds["overage"].quantity, 2.0)
        self.assertEqual(kinds["overage"].price_subtotal, 300.0)
        self.assertEqual(feb.amount_untaxed, 1300.0)
        self.assertTrue(feb.msp_review_needed)
        self.assertIn("Block hours exhausted", feb.msp_review_note)
        self.assertFalse(self._run(agreement, "2026-02-01").invoice_ids)

    def test_block_usage_of_a_caught_up_period(self):
        agreement = self._agreement(
            fixed_fee=0.0,
            billing_model="block_hours",
            block_hours=10.0,
            block_price=1000.0,
            block_product_id=self.product_fee.id,
            overage_rate=150.0,
        )
        agreement.action_activate()
        self._timesheet(agreement, "2026-01-10", 12.0)
        self._timesheet(agreement, "2026-02-03", 3.0)  # February's, billed in March
        move = self._run(agreement, "2026-02-01").invoice_ids
        lines = self._products(move)
        self.assertEqual(
            sorted(lines.mapped("msp_line_kind")),
            ["block", "block", "block_usage", "overage"],
        )
        self.assertEqual(
            lines.filtered(lambda x: x.msp_line_kind == "overage").quantity, 2.0
        )
        self.assertEqual(move.amount_untaxed, 2300.0)
        march = self._run(agreement, "2026-03-01").invoice_ids
        usage = march.invoice_line_ids.filtered(
            lambda x: x.msp_line_kind == "block_usage"
        )
        self.assertEqual(usage.quantity, 3.0)
        self.assertEqual(march.amount_untaxed, 1000.0)

    # ------------------------------------------------------------------
    # Exactly once
    # ------------------------------------------------------------------
    def test_period_unique_in_database(self):
        agreement = self._agreement()
        agreement.action_activate()
        move = self._run(agreement, "2026-01-01").invoice_ids
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["msp.agreement.period"].sudo().create(
                {
                    "agreement_id": agreement.id,
                    "date_start": "2026-01-01",
                    "date_end": "2026-01-31",
                    "invoice_date": "2026-01-01",
                    "move_id": move.id,
                }
            )

    def test_failure_isolated_then_rerun(self):
        good = self._agreement()
        bad = self._agreement(partner_id=self.other_client.id)
        (good | bad).action_activate()
        original = MspAgreement._prepare_invoice_vals

        def failing(agreement, due, lines, run=None):
            if agreement == bad:
                raise UserError(agreement.env._("Injected failure"))
            return original(agreement, due, lines, run)

        with patch.object(MspAgreement, "_prepare_invoice_vals", failing):
            run = self._run(good | bad, "2026-01-01")
        self.assertEqual(run.invoice_ids.msp_agreement_id, good)
        self.assertEqual(run.issue_ids.agreement_id, bad)
        self.assertEqual(run.issue_ids.message, "Injected failure")
        self.assertIn("Injected failure", bad.message_ids[0].body)
        self.assertFalse(bad.period_ids)
        self.assertEqual(bad.next_period_start, date(2026, 1, 1))
        rerun = self._run(good | bad, "2026-01-01")
        self.assertEqual(rerun.invoice_ids.msp_agreement_id, bad)
        self.assertEqual(good.invoice_count, 1)
        self.assertEqual(bad.invoice_count, 1)

    def test_delete_draft_releases_period(self):
        agreement = self._agreement()
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        self._run(agreement, "2026-02-01").invoice_ids.unlink()
        self.assertEqual(agreement.next_period_start, date(2026, 2, 1))
        self.assertEqual(len(agreement.period_ids), 1)
        again = self._run(agreement, "2026-02-01").invoice_ids
        self.assertEqual(again.amount_untaxed, 500.0)

    def test_cancel_old_invoice_fills_the_gap(self):
        agreement = self._agreement()
        agreement.action_activate()
        jan = self._run(agreement, "2026-01-01").invoice_ids
        self._run(agreement, "2026-02-01")
        jan.button_cancel()
        self.assertEqual(agreement.next_period_start, date(2026, 1, 1))
        gap = self._run(agreement, "2026-02-15").invoice_ids
        self.assertEqual(
            [(str(p.date_start), p.move_id == gap) for p in gap.msp_period_ids],
            [("2026-01-01", True)],
        )
        self.assertEqual(agreement.next_period_start, date(2026, 3, 1))

    def test_pointer_set_back_by_hand_bills_nothing_twice(self):
        agreement = self._agreement()
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        self._run(agreement, "2026-02-01")
        agreement.next_period_start = date(2026, 1, 1)  # a user's mistake
        run = self._run(agreement, "2026-02-10")
        self.assertFalse(run.invoice_ids)
        self.assertEqual(agreement.next_period_start, date(2026, 3, 1))
        self.assertEqual(agreement.invoice_count, 2)

    def test_suspension_is_not_billed(self):
        agreement = self._agreement()
        agreement.action_activate()
        self._run(agreement, "2026-01-01")
        agreement.action_suspend()
        self.assertFalse(self._run(agreement, "2026-02-01").invoice_ids)
        with freeze_time("2026-04-10"):
            agreement.action_activate()
        self.assertEqual(agreement.next_period_start, date(2026, 4, 1))
        self.assertIn("are not billed", agreement.message_ids[0].body)
        move = self._run(agreement, "2026-04-10").invoice_ids
        self.assertEqual(move.msp_period_ids.mapped("date_start"), [date(2026, 4, 1)])
        with self.assertRaisesMsg(ValidationError, "cannot bill from"):
            agreement.next_period_start = date(2025, 12, 1)

    # ------------------------------------------------------------------
    # Buttons, posting, review
    # ------------------------------------------------------------------
    def test_preview_creates_nothing(self):
        agreement = self._agreement(date_start=date(2026, 1, 17))
        self._create_addition(agreement, quantity=3, price_unit=25.0)
        agreement.action_activate()
        with freeze_time("2026-01-17"):
            action = agreement.action_preview_invoice()
        preview = self.env["msp.billing.preview"].browse(action["res_id"])
        self.assertEqual(preview.amount_untaxed, 278.23)  # 241.94 + 36.29
        self.assertEqual(len(preview.line_ids), 2)
        self.assertEqual(agreement.invoice_count, 0)
        self.assertFalse(agreement.period_ids)
        self.assertEqual(agreement.next_period_start, date(2026, 1, 17))

    def test_invoice_now(self):
        agreement = self._agreement()
        agreement.action_activate()
        with freeze_time("2026-01-05"):
            agreement.action_invoice_now()
            self.assertEqual(agreement.invoice_count, 1)
            with self.assertRaisesMsg(UserError, "Nothing is due"):
                agreement.action_invoice_now()
        self.assertEqual(agreement.invoice_count, 1)

    def test_auto_post_and_send(self):
        agreement = self._agreement(auto_post=True)
        agreement.action_activate()
        move = self._run(agreement, "2026-01-01").invoice_ids
        self.assertEqual(move.state, "posted")
        self.assertTrue(move.sending_data)
        self.assertEqual(
            move._get_mail_template(), self.env.ref("msp_psa.mail_template_msp_invoice")
        )

    def test_review_flags_and_bulk_post(self):
        steady = self._agreement()
        growing = self._agreement(partner_id=self.other_client.id, fixed_fee=0.0)
        seats = self._create_addition(growing, quantity=10, price_unit=25.0)
        (steady | growing).action_activate()
        first = self._run(steady | growing, "2026-01-01")
        self.assertTrue(
            all(first.invoice_ids.mapped("msp_review_needed"))
        )  # first invoices
        first.action_post_all()
        with freeze_time("2026-01-31"):
            seats.quantity = 13
        second = self._run(steady | growing, "2026-02-01")
        by_agreement = {m.msp_agreement_id: m for m in second.invoice_ids}
        self.assertFalse(by_agreement[steady].msp_review_needed)
        self.assertEqual(
            by_agreement[steady].msp_review_note,
            "No change since the previous invoice.",
        )
        self.assertTrue(by_agreement[growing].msp_review_needed)
        self.assertIn(
            "Per-User Support: 10 → 13 (+30 %, manual).",
            by_agreement[growing].msp_review_note,
        )
        second.action_post_unchanged()
        self.assertEqual(by_agreement[steady].state, "posted")
        self.assertEqual(by_agreement[growing].state, "draft")

    def test_consolidated_invoice_per_client(self):
        self.client.msp_consolidate_invoices = True
        support = self._agreement(title="Support")
        m365 = self._agreement(title="Microsoft 365", fixed_fee=0.0)
        self._create_addition(m365, quantity=10, price_unit=26.0)
        other = self._agreement(partner_id=self.other_client.id)
        (support | m365 | other).action_activate()
        run = self._run(support | m365 | other, "2026-01-01")
        self.assertEqual(len(run.invoice_ids), 2)
        combined = run.invoice_ids.filtered(lambda m: m.partner_id == self.client)
        self.assertEqual(combined.amount_untaxed, 760.0)  # 500 + 10 x 26
        self.assertEqual(combined.line_ids.msp_agreement_id, support | m365)
        self.assertEqual(combined.invoice_origin, f"{support.name}, {m365.name}")
        self.assertEqual(combined.msp_period_ids.agreement_id, support | m365)
        self.assertEqual(support.invoice_count, 1)
        self.assertEqual(m365.invoice_count, 1)
        action = m365.action_view_invoices()
        self.assertEqual(self.Move.search(action["domain"]), combined)
        # Cancelling the combined invoice releases both agreements.
        combined.button_cancel()
        self.assertEqual(support.next_period_start, date(2026, 1, 1))
        self.assertEqual(m365.next_period_start, date(2026, 1, 1))
        again = self._run(support | m365, "2026-01-01").invoice_ids
        self.assertEqual(again.amount_untaxed, 760.0)

    def test_cron(self):
        agreement = self._agreement()
        agreement.action_activate()
        suspended = self._agreement()
        suspended.action_activate()
        suspended.action_suspend()
        with freeze_time("2026-01-01"):
            # as the scheduler runs it: as the system, twice (two workers, or a rerun)
            self.Run.sudo()._cron_generate_invoices()
            self.Run.sudo()._cron_generate_invoices()
        run = self.Run.search(
            [
                ("date", "=", "2026-01-01"),
                ("trigger", "=", "cron"),
                ("company_id", "=", self.env.company.id),
            ]
        )
        self.assertEqual(len(run), 1, "workers share one run per company and day")
        self.assertEqual(agreement.invoice_count, 1)
        self.assertEqual(suspended.invoice_count, 0)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.agreement_count, 1)
