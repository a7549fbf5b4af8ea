# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestRenewals(MspPsaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.msp_renewal_steps = "90,60,30"
        cls.Step = cls.env["msp.agreement.renewal.step"]

    def _agreement(self, **vals):
        agreement = self._create_agreement(
            **{"fixed_fee": 500.0, "fee_product_id": self.product_fee.id, **vals}
        )
        agreement.action_activate()
        # the queue's stored figures are computed for the frozen day
        self.env.flush_all()
        return agreement

    def _activities(self, agreement):
        return self.env["mail.activity"].search(
            [("res_model", "=", "msp.agreement"), ("res_id", "=", agreement.id)]
        )

    # ------------------------------------------------------------------
    # Decision date, bucket, status
    # ------------------------------------------------------------------
    @freeze_time("2026-10-15")
    def test_decision_date_bucket_and_status(self):
        fixed = self._agreement()  # 2026-01-01, 12 months: ends 2026-12-31
        self.assertEqual(fixed.renewal_term_end, date(2026, 12, 31))
        self.assertEqual(fixed.renewal_decision_date, date(2026, 12, 1))
        self.assertEqual(fixed.renewal_decision_date, fixed.date_notice)
        self.assertEqual(fixed.renewal_bucket, "d60")  # 47 days
        self.assertEqual(fixed.renewal_status, "auto")
        manual = self._agreement(auto_renew=False, renewal_notice_days=60)
        self.assertEqual(manual.renewal_decision_date, date(2026, 11, 1))
        self.assertEqual(manual.renewal_bucket, "d30")  # 17 days
        self.assertEqual(manual.renewal_status, "to_review")
        # open-ended: decided before its anniversary (15 March)
        open_ended = self._agreement(date_start=date(2025, 3, 15), term_months=0)
        self.assertFalse(open_ended.date_end)
        self.assertEqual(open_ended.renewal_term_end, date(2027, 3, 14))
        self.assertEqual(open_ended.renewal_decision_date, date(2027, 2, 12))
        self.assertEqual(open_ended.renewal_bucket, "later")
        # turning auto-renewal off and on moves the undecided status with it
        fixed.auto_renew = False
        self.assertEqual(fixed.renewal_status, "to_review")
        fixed.auto_renew = True
        self.assertEqual(fixed.renewal_status, "auto")

    def test_cron_keeps_buckets_current_and_marks_lapsed(self):
        with freeze_time("2026-10-15"):
            undecided = self._agreement(auto_renew=False)
            sent = self._agreement(auto_renew=False)
            sent.action_renewal_proposal_sent()
            auto = self._agreement()
            accepted = self._agreement(auto_renew=False)
            accepted.action_renewal_accept()
        agreements = undecided | sent | auto | accepted
        self.assertEqual(set(agreements.mapped("renewal_bucket")), {"d60"})
        with freeze_time("2026-11-20"):
            self.Agreement._cron_refresh_renewals()
        self.assertEqual(set(agreements.mapped("renewal_bucket")), {"d30"})
        self.assertEqual(undecided.renewal_status, "to_review")
        with freeze_time("2026-12-02"):  # the decision date (1 Dec) passed
            self.Agreement._cron_refresh_renewals()
        self.assertEqual(set(agreements.mapped("renewal_bucket")), {"overdue"})
        self.assertEqual(
            agreements.mapped("renewal_status"),
            ["lapsed", "lapsed", "auto", "accepted"],
        )
        # grouped by bucket and status in the queue
        groups = self.Agreement._read_group(
            [("id", "in", agreements.ids)], ["renewal_status"], ["__count"]
        )
        self.assertEqual(dict(groups), {"lapsed": 2, "auto": 1, "accepted": 1})

    @freeze_time("2026-10-15")
    def test_status_buttons(self):
        agreement = self._agreement(auto_renew=False)
        agreement.action_renewal_proposal_sent()
        self.assertEqual(agreement.renewal_status, "proposal_sent")
        with self.assertRaisesMsg(UserError, "proposal sent; it cannot be marked"):
            agreement.action_renewal_proposal_sent()
        agreement.action_renewal_accept()
        self.assertEqual(agreement.renewal_status, "accepted")
        with self.assertRaisesMsg(UserError, "accepted; it cannot be marked not"):
            agreement.action_renewal_not_renewing()
        agreement.action_renewal_review()
        self.assertEqual(agreement.renewal_status, "to_review")
        agreement.action_renewal_not_renewing()
        self.assertEqual(agreement.renewal_status, "not_renewing")
        self.assertEqual(agreement.date_end, date(2026, 12, 31))
        draft = self._create_agreement()
        with self.assertRaisesMsg(UserError, "allowed only from active, suspended"):
            draft.action_renewal_accept()

    @freeze_time("2026-10-15")
    def test_open_ended_not_renewing_ends_on_its_anniversary(self):
        agreement = self._agreement(date_start=date(2025, 3, 15), term_months=0)
        agreement.action_renewal_not_renewing()
        self.assertEqual(agreement.date_end, date(2027, 3, 14))
        self.assertEqual(agreement.renewal_decision_date, date(2027, 2, 12))
        self.assertIn("billing stops on 03/14/2027", agreement.message_ids[0].body)
        # changed its mind: open-ended again
        agreement.action_renewal_review()
        self.assertFalse(agreement.date_end)
        self.assertEqual(agreement.renewal_status, "auto")
        self.assertEqual(agreement.renewal_term_end, date(2027, 3, 14))

    def test_open_ended_rolls_to_its_next_year(self):
        with freeze_time("2026-10-15"):
            agreement = self._agreement(date_start=date(2025, 3, 15), term_months=0)
            agreement.action_renewal_proposal_sent()
        with freeze_time("2027-03-15"):
            self.Agreement._cron_refresh_renewals()
        self.assertEqual(agreement.renewal_term_end, date(2028, 3, 14))
        self.assertEqual(agreement.renewal_decision_date, date(2028, 2, 13))
        self.assertEqual(agreement.renewal_status, "auto")
        self.assertEqual(agreement.renewal_bucket, "later")

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    def test_reminders_once_per_step_and_term(self):
        with freeze_time("2026-08-01"):
            agreement = self._agreement()  # decision date 2026-12-01
        runs = {
            "2026-09-01": 0,  # 91 days before
            "2026-09-02": 1,  # 90
            "2026-09-15": 1,
            "2026-10-02": 2,  # 60
            "2026-11-01": 3,  # 30
            "2026-11-30": 3,
        }
        for day, expected in runs.items():
            with freeze_time(day):
                self.Agreement._cron_refresh_renewals()
                self.Agreement._cron_refresh_renewals()
            self.assertEqual(len(self._activities(agreement)), expected, day)
        steps = self.Step.search([("agreement_id", "=", agreement.id)])
        self.assertEqual(sorted(steps.mapped("step_days")), [30, 60, 90])
        self.assertEqual(set(steps.mapped("term_end")), {date(2026, 12, 31)})
        activity = self._activities(agreement).sorted("id")[0]
        self.assertEqual(activity.user_id, agreement.user_id)
        self.assertEqual(activity.date_deadline, date(2026, 12, 1))
        self.assertEqual(
            activity.summary, "Renewal decision by 12/01/2026 (90-day reminder)"
        )
        # renewed: the next term gets its own reminders
        with freeze_time("2027-01-01"):
            self.Agreement._cron_process_renewals()
        with freeze_time("2027-09-02"):
            self.Agreement._cron_refresh_renewals()
        self.assertEqual(len(self._activities(agreement)), 4)
        # the database refuses a second row for a step of a term
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.Step.sudo().create(
                {
                    "agreement_id": agreement.id,
                    "company_id": agreement.company_id.id,
                    "term_end": date(2026, 12, 31),
                    "step_days": 60,
                    "date": date(2026, 10, 2),
                }
            )

    def test_late_agreement_gets_one_reminder_for_the_steps_passed(self):
        with freeze_time("2026-11-10"):
            agreement = self._agreement()  # decision in 21 days
            self.Agreement._cron_refresh_renewals()
            self.Agreement._cron_refresh_renewals()
        self.assertEqual(len(self._activities(agreement)), 1)
        self.assertEqual(
            sorted(
                self.Step.search([("agreement_id", "=", agreement.id)]).mapped(
                    "step_days"
                )
            ),
            [30, 60, 90],
        )
        self.assertIn("30-day reminder", self._activities(agreement).summary)

    def test_reminder_steps_setting(self):
        with self.assertRaisesMsg(Exception, "sixty is not a number of days"):
            self.env.company.msp_renewal_steps = "90,sixty"
        self.env.company.msp_renewal_steps = "14"
        with freeze_time("2026-11-17"):
            agreement = self._agreement()
            self.Agreement._cron_refresh_renewals()
        self.assertEqual(len(self._activities(agreement)), 1)
        self.assertEqual(
            self.Step.search([("agreement_id", "=", agreement.id)]).step_days, 14
        )

    def test_refresh_queries_do_not_grow_with_agreements(self):
        def queries(count):
            with freeze_time("2026-08-01"):
                agreements = self.Agreement.browse()
                for _i in range(count):
                    agreements |= self._agreement()
            with freeze_time("2026-09-02"):
                self.env.flush_all()
                before = self.env.cr.sql_log_count
                self.Agreement._cron_refresh_renewals()
                self.env.flush_all()
                used = self.env.cr.sql_log_count - before
            self.assertEqual(
                len(self.Step.search([("agreement_id", "in", agreements.ids)])),
                count,
            )
            return used

        queries(1)  # warm the caches (activity type, model ids)
        self.assertEqual(queries(2), queries(8))

    # ------------------------------------------------------------------
    # Renewal and expiry at the end of the term
    # ------------------------------------------------------------------
    def test_auto_renew_once_and_next_notice_date(self):
        with freeze_time("2026-10-15"):
            agreement = self._agreement()
            agreement.action_renewal_proposal_sent()
        for _run in range(2):
            with freeze_time("2027-01-05"):
                self.Agreement._cron_process_renewals()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.date_end, date(2027, 12, 31))
        self.assertEqual(agreement.date_notice, date(2027, 12, 1))
        self.assertEqual(agreement.renewal_decision_date, date(2027, 12, 1))
        self.assertEqual(agreement.renewal_status, "auto")
        renewed = agreement.message_ids.filtered(lambda m: "Renewed" in (m.body or ""))
        self.assertEqual(len(renewed), 1)
        self.assertIn("the term now ends on 12/31/2027", renewed.body)

    def test_accepted_renews_undecided_expires(self):
        with freeze_time("2026-10-15"):
            accepted = self._agreement(auto_renew=False)
            accepted.action_renewal_accept()
            undecided = self._agreement(auto_renew=False)
        with freeze_time("2027-01-01"):
            self.Agreement._cron_process_renewals()
        self.assertEqual(accepted.state, "active")
        self.assertEqual(accepted.date_end, date(2027, 12, 31))
        self.assertEqual(accepted.renewal_status, "to_review")
        self.assertEqual(undecided.state, "expired")

    def test_not_renewing_bills_a_prorated_last_period_and_expires(self):
        """15 Jan 2026 for 12 months ends on 14 Jan 2027: January 2027 is billed
        for 14 of its 31 days, then nothing; the agreement expires the next
        day although it was set to renew automatically."""
        with freeze_time("2026-12-01"):
            agreement = self._agreement(date_start=date(2026, 1, 15))
            self._create_addition(agreement, quantity=10, price_unit=25.0)
            agreement.next_period_start = date(2027, 1, 1)
            agreement.action_renewal_not_renewing()
        self.assertTrue(agreement.auto_renew)
        self.assertEqual(agreement.date_end, date(2027, 1, 14))
        Run = self.env["msp.billing.run"]
        with freeze_time("2027-01-01"):
            run = Run.create({"date": "2027-01-01", "trigger": "manual"})
            run._run(agreement_ids=agreement.ids)
        move = run.invoice_ids
        lines = move.invoice_line_ids.filtered(lambda x: x.display_type == "product")
        # 500.00 × 14/31 = 225.81; 10 × 25.00 × 14/31 = 112.90
        self.assertEqual(sorted(lines.mapped("price_subtotal")), [112.90, 225.81])
        self.assertEqual(move.amount_untaxed, 338.71)
        self.assertEqual(set(lines.mapped("end_date")), {date(2027, 1, 14)})
        self.assertFalse(agreement.next_invoice_date)
        with freeze_time("2027-01-14"):
            self.Agreement._cron_process_renewals()
        self.assertEqual(agreement.state, "active")
        with freeze_time("2027-01-15"):
            self.Agreement._cron_process_renewals()
            self.assertEqual(agreement.state, "expired")
            self.assertEqual(agreement.date_end, date(2027, 1, 14))
            run = Run.create({"date": "2027-02-01", "trigger": "manual"})
            run._run(agreement_ids=agreement.ids)
        self.assertFalse(run.invoice_ids)

    @freeze_time("2026-10-15")
    def test_renewal_change_vals(self):
        agreement = self._agreement()
        addition = self._create_addition(agreement, quantity=10, price_unit=25.0)
        vals = agreement._prepare_change_vals(uplift_pct=3.0)
        self.assertEqual(
            vals,
            {
                "agreement_id": agreement.id,
                "date_effective": date(2027, 1, 1),
                "origin": "renewal",
                "note": f"Renewal of {agreement.display_name} for 12 months from "
                "01/01/2027.",
                "line_ids": [
                    (0, 0, {"action": "term", "date_end": date(2027, 12, 31)}),
                    (
                        0,
                        0,
                        {
                            "action": "price",
                            "addition_id": addition.id,
                            "product_id": self.product_seat.id,
                            "price_unit": 25.75,
                        },
                    ),
                ],
            },
        )

    def test_renewal_proposal_signed_renews_once_whatever_the_cron_order(self):
        """A renewal proposal follows the agreement's renewal status (sent,
        accepted); signed, the agreement renews on the day after its term —
        whichever of the nightly renewal and the change orders' apply runs
        first — once, and the next term starts undecided."""
        Change = self.env["msp.agreement.change"]

        def signed(start):
            agreement = self._agreement(auto_renew=False, date_start=start)
            change = Change.browse(agreement.action_create_renewal_proposal()["res_id"])
            self.assertEqual(change.origin, "renewal")
            change.action_send()
            self.assertEqual(agreement.renewal_status, "proposal_sent")
            change.accept_on_behalf("Signed at the quarterly review")
            self.assertEqual(agreement.renewal_status, "accepted")
            return agreement, change

        with freeze_time("2026-10-15"):
            renewal_first, change = signed(date(2026, 1, 1))
            self.assertEqual(change.date_effective, date(2027, 1, 1))
            apply_first, change = signed(date(2026, 2, 1))
            self.assertEqual(change.date_effective, date(2027, 2, 1))
        with freeze_time("2027-01-01"):
            self.Agreement._cron_process_renewals()
            Change._cron_apply_due()
        with freeze_time("2027-02-01"):
            Change._cron_apply_due()
            self.Agreement._cron_process_renewals()
            self.Agreement._cron_process_renewals()
        for agreement, end in (
            (renewal_first, date(2027, 12, 31)),
            (apply_first, date(2028, 1, 31)),
        ):
            self.assertEqual(agreement.state, "active")
            self.assertEqual(agreement.date_end, end)
            self.assertEqual(agreement.change_ids.state, "applied")
            self.assertEqual(agreement.renewal_status, "to_review")

    def test_declined_renewal_proposal_back_to_review(self):
        with freeze_time("2026-10-15"):
            agreement = self._agreement(auto_renew=False)
            change = self.env["msp.agreement.change"].browse(
                agreement.action_create_renewal_proposal()["res_id"]
            )
            change.action_send()
            change.decline("Moving to another provider")
        self.assertEqual(agreement.renewal_status, "to_review")
        self.assertEqual(agreement.date_end, date(2026, 12, 31))

    def test_portal_says_what_the_renewal_decision_is(self):
        with freeze_time("2026-10-15"):
            agreement = self._agreement(auto_renew=False)
            self.assertFalse(agreement._msp_portal_page_values()["msp_renewal"])
            agreement.action_renewal_accept()
            self.assertEqual(
                agreement._msp_portal_page_values()["msp_renewal"], date(2027, 1, 1)
            )
            renewing = self._agreement()
            self.assertEqual(renewing._msp_portal_renewal_date(), date(2027, 1, 1))
            renewing.action_renewal_not_renewing()
            self.assertFalse(
                renewing._msp_portal_renewal_date(), "ends, whatever auto-renew says"
            )

    def test_expired_in_arrears_still_bills_its_last_period(self):
        """In arrears, the last period's invoice is due the day after the end:
        the nightly renewal expires the agreement first, and the billing run
        still bills that period, once."""
        with freeze_time("2026-01-01"):
            agreement = self._agreement(
                auto_renew=False, term_months=3, billing_timing="arrears"
            )
        self.assertEqual(agreement.date_end, date(2026, 3, 31))
        Run = self.env["msp.billing.run"]

        def bill(day):
            with freeze_time(day):
                run = Run.create({"date": day, "trigger": "manual"})
                run._run(agreement_ids=agreement.ids)
            return run.invoice_ids

        self.assertEqual(bill("2026-03-01").amount_untaxed, 1000.0)  # Jan + Feb
        with freeze_time("2026-04-01"):
            self.Agreement._cron_process_renewals()
        self.assertEqual(agreement.state, "expired")
        march = bill("2026-04-01")
        self.assertEqual(march.amount_untaxed, 500.0)
        self.assertEqual(march.invoice_line_ids.mapped("end_date"), [date(2026, 3, 31)])
        self.assertFalse(bill("2026-04-01"), "billed once")
        self.assertFalse(bill("2026-05-01"), "nothing after the term")
