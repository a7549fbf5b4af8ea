# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MspPsaCommon


@tagged("post_install", "-at_install")
class TestAgreement(MspPsaCommon):
    def test_reference_from_sequence(self):
        first = self._create_agreement()
        second = self._create_agreement()
        self.assertTrue(first.name.startswith("AGR/"))
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(first.display_name, f"{first.name} - Managed IT")
        found = self.Agreement.name_search("Managed IT")
        self.assertIn(first.id, [r[0] for r in found])

    def test_defaults_from_form(self):
        with Form(self.Agreement) as form:
            form.title = "Per-user support"
            form.partner_id = self.client
            form.date_start = date(2026, 1, 15)
            self.assertEqual(form.date_end, date(2027, 1, 14))
            self.assertEqual(form.next_invoice_date, date(2026, 1, 15))
        agreement = form.save()
        self.assertEqual(agreement.currency_id, self.env.company.currency_id)
        self.assertEqual(agreement.journal_id.type, "sale")
        self.assertEqual(agreement.state, "draft")
        self.assertEqual(agreement.anchor_day, 1)
        self.assertEqual(agreement.date_notice, date(2026, 12, 15))

    def test_open_ended(self):
        agreement = self._create_agreement(term_months=0)
        self.assertFalse(agreement.date_end)
        self.assertFalse(agreement.date_notice)

    def test_next_invoice_date(self):
        advance = self._create_agreement(date_start=date(2026, 1, 17))
        self.assertEqual(advance.next_invoice_date, date(2026, 1, 17))
        # In arrears: the day after the first period (a stub up to the anchor).
        arrears = self._create_agreement(
            date_start=date(2026, 1, 17), billing_timing="arrears"
        )
        self.assertEqual(arrears.next_invoice_date, date(2026, 2, 1))
        quarterly = self._create_agreement(
            billing_timing="arrears", billing_cycle="quarterly"
        )
        self.assertEqual(quarterly.next_invoice_date, date(2026, 4, 1))
        # Anchored on the 31st: January's period ends the day before 28 Feb.
        end_of_month = self._create_agreement(
            date_start=date(2026, 1, 31), anchor_day=31, billing_timing="arrears"
        )
        self.assertEqual(end_of_month.next_invoice_date, date(2026, 2, 28))
        end_of_month.billing_cycle = "annual"
        self.assertEqual(end_of_month.next_invoice_date, date(2027, 1, 31))

    def test_constraints(self):
        with self.assertRaisesMsg(ValidationError, "cannot end"):
            self._create_agreement(date_end=date(2025, 12, 31))
        with self.assertRaisesMsg(ValidationError, "fixed fee cannot be negative"):
            self._create_agreement(fixed_fee=-1)
        with self.assertRaisesMsg(ValidationError, "overage rate cannot be negative"):
            self._create_agreement(overage_rate=-5)
        with self.assertRaisesMsg(ValidationError, "hours bought cannot be negative"):
            self._create_agreement(block_hours=-10)
        with self.assertRaisesMsg(ValidationError, "anchor day"):
            self._create_agreement(anchor_day=32)
        with self.assertRaisesMsg(ValidationError, "client company"):
            self._create_agreement(partner_id=self.client_contact.id)
        with self.assertRaisesMsg(ValidationError, "do not work for"):
            self._create_agreement(contact_ids=[(6, 0, self.other_contact.ids)])
        agreement = self._create_agreement(
            contact_ids=[(6, 0, self.client_contact.ids)]
        )
        self.assertEqual(agreement.contact_ids, self.client_contact)
        with self.assertRaisesMsg(ValidationError, "cannot end"):
            agreement.date_end = date(2025, 6, 30)
        # nothing half-saved: the failed write left the record as it was
        agreement.invalidate_recordset()
        self.assertEqual(agreement.date_end, date(2026, 12, 31))

    def test_currency_and_company_must_match(self):
        eur = self.setup_other_currency("EUR")
        journal_eur = self.journal.copy({"code": "SEUR", "currency_id": eur.id})
        with self.assertRaisesMsg(ValidationError, "only accepts EUR"):
            self._create_agreement(journal_id=journal_eur.id)
        self._create_agreement(journal_id=journal_eur.id, currency_id=eur.id)
        other = self.setup_other_company()["company"]
        other_journal = (
            self.env["account.journal"]
            .sudo()
            .search([("company_id", "=", other.id), ("type", "=", "sale")], limit=1)
        )
        self.assertTrue(other_journal)
        with self.assertRaises(UserError):
            self._create_agreement(journal_id=other_journal.id)
        foreign_client = (
            self.env["res.partner"]
            .sudo()
            .create(
                {"name": "Other's client", "is_company": True, "company_id": other.id}
            )
        )
        with self.assertRaises(UserError):
            self._create_agreement(partner_id=foreign_client.id)

    def test_state_machine(self):
        agreement = self._create_agreement()
        agreement.action_activate()
        self.assertEqual(agreement.state, "active")
        agreement.action_suspend()
        self.assertEqual(agreement.state, "suspended")
        agreement.action_activate()
        agreement.action_expire()
        self.assertEqual(agreement.state, "expired")
        with self.assertRaisesMsg(UserError, "allowed only from"):
            agreement.action_activate()
        with self.assertRaisesMsg(UserError, "allowed only from"):
            agreement.action_cancel()
        with self.assertRaisesMsg(UserError, "allowed only from"):
            agreement.action_suspend()
        draft = self._create_agreement()
        draft.action_cancel()
        self.assertEqual(draft.state, "cancelled")
        draft.action_reset_draft()
        self.assertEqual(draft.state, "draft")

    def test_state_changes_are_tracked(self):
        tracking_env = self.env(
            context=dict(self.env.context, tracking_disable=False, mail_notrack=False)
        )
        agreement = self._create_agreement().with_env(tracking_env)
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written at commit time
        agreement.action_activate()
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = agreement.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(tracked.old_value_char, "Draft")
        self.assertEqual(tracked.new_value_char, "Active")

    def test_activation_checks(self):
        no_journal = self._create_agreement()
        no_journal.journal_id = False
        with self.assertRaisesMsg(UserError, "sales journal"):
            no_journal.action_activate()
        with freeze_time("2027-03-01"):
            ended = self._create_agreement()
            with self.assertRaisesMsg(UserError, "ended on"):
                ended.action_activate()
        self.assertEqual(ended.state, "draft")

    def test_manager_only_transitions(self):
        agreement = self._create_agreement().with_user(self.msp_user)
        with self.assertRaises(AccessError):
            agreement.action_activate()
        with self.assertRaises(AccessError):
            agreement.action_cancel()
        agreement.with_user(self.msp_manager).action_activate()
        # a user may suspend and expire a running agreement
        agreement.action_suspend()
        self.assertEqual(agreement.state, "suspended")

    def test_delete(self):
        draft = self._create_agreement()
        draft.unlink()
        self.assertFalse(draft.exists())
        active = self._create_agreement()
        active.action_activate()
        with self.assertRaisesMsg(UserError, "only draft or cancelled"):
            active.unlink()
        active.action_cancel()
        invoice = self.init_invoice("out_invoice", partner=self.client, amounts=[100])
        invoice.msp_agreement_id = active
        self.assertEqual(active.invoice_count, 1)
        with self.assertRaisesMsg(UserError, "has invoices"):
            active.unlink()
        with self.assertRaisesMsg(UserError, "has invoices"):
            active.action_reset_draft()
        self.assertTrue(active.exists())

    def test_renewals(self):
        renewing = self._create_agreement(term_months=12)
        expiring = self._create_agreement(term_months=12, auto_renew=False)
        open_ended = self._create_agreement(term_months=0)
        draft = self._create_agreement(term_months=12)
        (renewing | expiring | open_ended).action_activate()
        with freeze_time("2027-01-05"):
            self.Agreement._cron_process_renewals()
        self.assertEqual(renewing.state, "active")
        self.assertEqual(renewing.date_end, date(2027, 12, 31))
        self.assertEqual(expiring.state, "expired")
        self.assertEqual(open_ended.state, "active")
        self.assertEqual(draft.state, "draft")
        # a second run the same day changes nothing
        with freeze_time("2027-01-05"):
            self.Agreement._cron_process_renewals()
        self.assertEqual(renewing.date_end, date(2027, 12, 31))
        # an agreement left behind for years catches up in one run
        with freeze_time("2029-06-01"):
            self.Agreement._cron_process_renewals()
        self.assertEqual(renewing.date_end, date(2029, 12, 31))

    @freeze_time("2026-03-15")
    def test_mrr(self):
        agreement = self._create_agreement(
            fixed_fee=500.0, fee_product_id=self.product_fee.id
        )
        self._create_addition(
            agreement, quantity=12, included_quantity=2, price_unit=25.0
        )
        self._create_addition(
            agreement, self.product_setup, recurrence="one_time", price_unit=300.0
        )
        self._create_addition(
            agreement,
            self.product_device,
            quantity=4,
            price_unit=10.0,
            date_end=date(2026, 2, 28),
        )
        self._create_addition(
            agreement,
            self.product_device,
            quantity=3,
            price_unit=10.0,
            date_start=date(2026, 4, 1),
        )
        self.assertEqual(agreement.mrr, 750.0)  # 500 + (12 - 2) x 25

    def test_smart_buttons(self):
        agreement = self._create_agreement()
        self._create_addition(agreement)
        self._create_items(2)
        self.assertEqual(agreement.addition_count, 1)
        action = agreement.action_view_additions()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]),
            agreement.addition_ids,
        )
        self.assertEqual(self.client.msp_agreement_count, 1)
        self.assertEqual(self.client_contact.msp_agreement_count, 1)
        action = agreement.action_view_managed_items()
        self.assertEqual(len(self.env[action["res_model"]].search(action["domain"])), 2)
