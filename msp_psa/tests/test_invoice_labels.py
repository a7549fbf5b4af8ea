# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

import polib
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_path
from odoo.tools.translate import code_translations

from .common import MspHelpdeskCommon

NBSP = "\N{NO-BREAK SPACE}"  # the thousands separator of fr_FR


def french_terms():
    """msp_psa's French texts as Odoo reads them from i18n/fr.po.

    Odoo keeps only the entries of a .po that its module's .pot lists; the .pot
    is regenerated at release, so until then it lacks the texts added with
    fr.po. Read fr.po itself, as Odoo will once the .pot lists them."""
    po = polib.pofile(file_path("msp_psa/i18n/fr.po"))
    return {entry.msgid: entry.msgstr for entry in po if entry.msgstr}


@tagged("post_install", "-at_install")
class TestInvoiceLabels(MspHelpdeskCommon):
    """What a client reads on an invoice line: quantity, unit price and label
    say the same thing, in the client's language and currency, as the preview."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["msp.billing.run"]
        cls.project = cls.env["project.project"].create({"name": "Support"})
        cls.employee = cls.env["hr.employee"].create({"name": "Tech"})

    def _agreement(self, **vals):
        return self._create_agreement(
            **{"fixed_fee": 500.0, "fee_product_id": self.product_fee.id, **vals}
        )

    def _run(self, agreements, day):
        with freeze_time(day):
            run = self.Run.create({"date": day, "trigger": "manual"})
            run._run(agreement_ids=agreements.ids)
        return run.invoice_ids

    def _lines(self, move):
        """(section or product, label, quantity, unit price) as the invoice reads."""
        return [
            (line.display_type, line.name, line.quantity, line.price_unit)
            for line in move.invoice_line_ids.sorted(lambda x: (x.sequence, x.id))
        ]

    def _preview(self, agreement, day):
        with freeze_time(day):
            action = agreement.action_preview_invoice()
        return self.env["msp.billing.preview"].browse(action["res_id"])

    def _ticket(self, name):
        return self.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": f"<p>{name}</p>",
                "partner_id": self.client_contact.id,
                "project_id": self.project.id,
            }
        )

    def _timesheet(self, agreement, day, hours, ticket, work_type=None):
        return self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": self.project.id,
                "date": day,
                "unit_amount": hours,
                "msp_agreement_id": agreement.id,
                "msp_work_type_id": work_type.id if work_type else False,
                "employee_id": self.employee.id,
                "ticket_id": ticket.id,
            }
        )

    # ------------------------------------------------------------------
    # Quantity, unit price and label agree
    # ------------------------------------------------------------------
    def test_fraction_in_the_label_agreed_price_as_unit_price(self):
        m365 = self._create_product(name="Microsoft 365", type="service")
        agreement = self._agreement(fixed_fee=0.0, date_start=date(2026, 11, 30))
        self._create_addition(agreement, m365, quantity=3, price_unit=26.0)
        agreement.action_activate()
        move = self._run(agreement, "2026-11-30")
        # 3 seats for 1 day of a 30-day month: 0.1 of a seat-month at 26.00
        self.assertEqual(
            self._lines(move),
            [
                (
                    "product",
                    "Microsoft 365\n30 Nov 2026: 3 × 26.00 × 1/30 days",
                    0.1,
                    26.0,
                )
            ],
        )
        self.assertEqual(move.amount_untaxed, 2.6)
        # A quarter of 12 devices: 36 device-months at the agreed 12.50
        quarterly = self._agreement(fixed_fee=100.0, billing_cycle="quarterly")
        self._create_addition(
            quarterly, self.product_device, quantity=12, price_unit=12.5
        )
        quarterly.action_activate()
        q1 = self._run(quarterly, "2026-01-01")
        self.assertEqual(
            self._lines(q1),
            [
                (
                    "product",
                    "Managed Services Fee\n1 Jan – 31 Mar 2026: 100.00 × 3 months",
                    3.0,
                    100.0,
                ),
                (
                    "product",
                    "Per-Device Monitoring\n1 Jan – 31 Mar 2026: 12 × 12.50 × 3 months",
                    36.0,
                    12.5,
                ),
            ],
        )
        self.assertEqual(q1.amount_untaxed, 750.0)

    def test_a_fraction_the_quantity_cannot_hold_is_one_prorated_charge(self):
        agreement = self._agreement(date_start=date(2026, 1, 17))
        self._create_addition(agreement, quantity=3, price_unit=25.0)
        agreement.action_activate()
        move = self._run(agreement, "2026-01-17")
        # 3 × 15/31 = 1.4516...: 1.45 × 25.00 would be 36.25, not 36.29
        self.assertEqual(
            self._lines(move),
            [
                (
                    "product",
                    "Managed Services Fee\n17–31 Jan 2026: 500.00 × 15/31 days",
                    1.0,
                    241.94,
                ),
                (
                    "product",
                    "Per-User Support\n17–31 Jan 2026: 3 × 25.00 × 15/31 days",
                    1.0,
                    36.29,
                ),
            ],
        )

    def test_settlement_of_an_addition_without_description(self):
        m365 = self._create_product(name="Microsoft 365", type="service")
        agreement = self._agreement(fixed_fee=0.0, date_start=date(2026, 11, 1))
        seats = self._create_addition(agreement, m365, quantity=3, price_unit=26.0)
        seats.name = "\nLicences for the front desk"
        agreement.action_activate()
        self._run(agreement, "2026-11-01")
        with freeze_time("2026-11-30"):
            seats.with_context(msp_quantity_date="2026-11-30").quantity = 6
        dec = self._run(agreement, "2026-12-01")
        self.assertEqual(
            self._lines(dec),
            [
                ("line_section", "Service period: 1–30 Nov 2026", 0.0, 0.0),
                (
                    "product",
                    "Microsoft 365\n3 added 30 Nov, 30 Nov 2026: 3 × 26.00 × 1/30 days",
                    0.1,
                    26.0,
                ),
                ("line_section", "Service period: 1–31 Dec 2026", 0.0, 0.0),
                ("product", "Microsoft 365\n1–31 Dec 2026: 6 × 26.00", 6.0, 26.0),
            ],
        )
        self.assertEqual(dec.amount_untaxed, 158.6)
        # The invoice form shows the product, then the label less the product's
        # name: with the product on a line of its own, no leading comma is left.
        m365.default_code = "M365"
        seats.name = "\nFront desk"
        dec.button_cancel()
        again = self._run(agreement, "2026-12-01")
        for line in again.invoice_line_ids.filtered(lambda x: x.product_id):
            first, rest = line.name.split("\n", 1)
            self.assertEqual(first, "[M365] Microsoft 365")
            self.assertRegex(rest, r"^(3 added 30 Nov, )?[0-9]")

    # ------------------------------------------------------------------
    # Time names its tickets
    # ------------------------------------------------------------------
    def test_time_and_overage_name_their_tickets(self):
        remote = self.env.ref("msp_psa.work_type_remote")
        labour = self._create_product(name="Remote labour", type="service")
        tm = self._agreement(
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
                )
            ],
        )
        tm.action_activate()
        printer = self._ticket("Printer offline")
        self._timesheet(tm, "2026-01-05", 1.5, printer, remote)
        self._timesheet(tm, "2026-01-07", 0.5, printer, remote)
        move = self._run(tm, "2026-02-01")
        self.assertEqual(
            self._lines(move),
            [
                (
                    "product",
                    f"{printer.number} Printer offline, 5–7 Jan 2026: 2 h × 95.00",
                    2.0,
                    95.0,
                )
            ],
        )
        self.assertTrue(printer.number.startswith("HT"))

        block = self._agreement(
            partner_id=self.other_client.id,
            fixed_fee=0.0,
            billing_model="block_hours",
            block_hours=10.0,
            block_price=1000.0,
            block_product_id=self.product_fee.id,
            overage_rate=150.0,
        )
        block.action_activate()
        vpn, mail = self._ticket("VPN down"), self._ticket("Mailbox full")
        self._timesheet(block, "2026-01-05", 8.0, printer)
        self._timesheet(block, "2026-01-12", 3.0, vpn)
        self._timesheet(block, "2026-01-20", 1.5, mail)
        feb = self._run(block, "2026-02-01")
        overage = feb.invoice_line_ids.filtered(lambda x: x.msp_line_kind == "overage")
        self.assertEqual(
            overage.name,
            "Overage, 1–31 Jan 2026: 2.5 h beyond the block × 150.00\n"
            f"{vpn.number} VPN down: 1 h\n"
            f"{mail.number} Mailbox full: 1.5 h",
        )
        self.assertEqual((overage.quantity, overage.price_unit), (2.5, 150.0))

    # ------------------------------------------------------------------
    # Sections per service period; the preview says the same
    # ------------------------------------------------------------------
    def test_multi_period_invoice_has_sections_and_preview_says_the_same(self):
        agreement = self._agreement(term_months=3, auto_renew=False)
        self._create_addition(agreement, quantity=2, price_unit=25.0)
        with freeze_time("2026-01-01"):
            agreement.action_activate()
        preview = self._preview(agreement, "2026-03-10")
        move = self._run(agreement, "2026-03-10")
        expected = []
        for period in ("1–31 Jan 2026", "1–28 Feb 2026", "1–31 Mar 2026"):
            expected += [
                ("line_section", f"Service period: {period}", 0.0, 0.0),
                ("product", f"Managed Services Fee\n{period}: 500.00", 1.0, 500.0),
                ("product", f"Per-User Support\n{period}: 2 × 25.00", 2.0, 25.0),
            ]
        self.assertEqual(self._lines(move), expected)
        self.assertEqual(move.amount_untaxed, 1650.0)
        self.assertEqual(
            [
                (line.display_type, line.name, line.quantity, line.price_unit)
                for line in preview.line_ids
            ],
            expected,
        )
        self.assertEqual(preview.amount_untaxed, 1650.0)
        # Sections are neither billed twice nor deferred: the next run bills nothing.
        self.assertFalse(self._run(agreement, "2026-03-10"))

    def test_consolidated_invoice_has_a_section_per_period(self):
        self.client.msp_consolidate_invoices = True
        support = self._agreement(title="Support")
        m365 = self._agreement(
            title="Microsoft 365", fixed_fee=0.0, date_start=date(2026, 1, 17)
        )
        self._create_addition(m365, quantity=3, price_unit=25.0)
        (support | m365).action_activate()
        self._run(support | m365, "2026-01-17")
        move = self._run(support | m365, "2026-02-01")
        self.assertEqual(
            [(kind, name) for kind, name, _q, _p in self._lines(move)],
            [
                ("line_section", "Service period: 1–28 Feb 2026"),
                ("product", "Managed Services Fee\n1–28 Feb 2026: 500.00"),
                ("product", "Per-User Support\n1–28 Feb 2026: 3 × 25.00"),
            ],
        )
        self.assertEqual(move.amount_untaxed, 575.0)

    # ------------------------------------------------------------------
    # The client's language and currency
    # ------------------------------------------------------------------
    def test_french_client(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.client.lang = "fr_FR"
        terms = patch.dict(
            code_translations.python_translations,
            {("msp_psa", "fr_FR"): french_terms()},
        )
        terms.start()
        self.addCleanup(terms.stop)
        agreement = self._agreement(fixed_fee=1500.0, date_start=date(2026, 1, 17))
        seats = self._create_addition(agreement, quantity=3, price_unit=25.5)
        agreement.action_activate()
        jan = self._run(agreement, "2026-01-17")
        self.assertEqual(
            self._lines(jan),
            [
                (
                    "product",
                    (
                        "Managed Services Fee\n17–31 janv. 2026 : "
                        f"1{NBSP}500,00 × 15/31 jours"
                    ),
                    1.0,
                    725.81,
                ),
                (
                    "product",
                    "Per-User Support\n17–31 janv. 2026 : 3 × 25,50 × 15/31 jours",
                    1.0,
                    37.02,
                ),
            ],
        )
        # The review note is for the MSP: in the user's language.
        self.assertIn("First invoice of this agreement.", jan.msp_review_note)
        with freeze_time("2026-01-25"):
            seats.with_context(msp_quantity_date="2026-01-20").quantity = 5
        feb = self._run(agreement, "2026-02-01")
        self.assertEqual(
            [name for _kind, name, _q, _p in self._lines(feb)],
            [
                "Période de service : 17–31 janv. 2026",
                (
                    "Per-User Support\n2 ajouté(s) le 20 janv., 20–31 janv. 2026 : "
                    "2 × 25,50 × 12/31 jours"
                ),
                "Période de service : 1–28 févr. 2026",
                f"Managed Services Fee\n1–28 févr. 2026 : 1{NBSP}500,00",
                "Per-User Support\n1–28 févr. 2026 : 5 × 25,50",
            ],
        )
        self.assertEqual(feb.amount_untaxed, 1647.24)  # 19.74 + 1500 + 127.50
        # Two months and a half in one line: months and days in French.
        self.assertEqual(
            agreement.with_context(lang="fr_FR")._msp_factor_label(
                date(2026, 1, 17), date(2026, 3, 31)
            ),
            " × 2 mois + 15/31 jours",
        )

    def test_currency_without_decimals(self):
        jpy = self.setup_other_currency("JPY", rounding=1.0)
        self.assertEqual(jpy.decimal_places, 0)
        agreement = self._agreement(
            fixed_fee=50000.0, currency_id=jpy.id, date_start=date(2026, 1, 17)
        )
        self._create_addition(agreement, quantity=3, price_unit=2600.0)
        agreement.action_activate()
        move = self._run(agreement, "2026-01-17")
        self.assertEqual(move.currency_id, jpy)
        self.assertEqual(
            self._lines(move),
            [
                (
                    "product",
                    "Managed Services Fee\n17–31 Jan 2026: 50,000 × 15/31 days",
                    1.0,
                    24194.0,
                ),
                (
                    "product",
                    "Per-User Support\n17–31 Jan 2026: 3 × 2,600 × 15/31 days",
                    1.0,
                    3774.0,
                ),
            ],
        )
        self.assertEqual(move.amount_untaxed, 27968.0)

    def test_currency_with_three_decimals(self):
        kwd = self.setup_other_currency("KWD", rounding=0.001)
        self.assertEqual(kwd.decimal_places, 3)
        # Prices to the fils, as a company invoicing in dinars sets them.
        self.env.ref("product.decimal_price").digits = 3
        agreement = self._agreement(
            fixed_fee=0.0, currency_id=kwd.id, date_start=date(2026, 1, 17)
        )
        self._create_addition(agreement, quantity=3, price_unit=7.125)
        agreement.action_activate()
        jan = self._run(agreement, "2026-01-17")
        self.assertEqual(
            self._lines(jan),
            [
                (
                    "product",
                    "Per-User Support\n17–31 Jan 2026: 3 × 7.125 × 15/31 days",
                    1.0,
                    10.343,  # 3 × 7.125 × 15/31 = 10.3427...
                ),
            ],
        )
        feb = self._run(agreement, "2026-02-01")
        self.assertEqual(
            self._lines(feb),
            [("product", "Per-User Support\n1–28 Feb 2026: 3 × 7.125", 3.0, 7.125)],
        )
        self.assertEqual(feb.amount_untaxed, 21.375)
