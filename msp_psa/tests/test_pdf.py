# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import shutil
import subprocess

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import formatLang

AGREEMENT_REPORT = "msp_psa.msp_agreement_report_action"
INVOICE_REPORT = "account.account_invoices"


def _squash(text):
    """One space for any run of white space (pdftotext's layout columns, the
    no-break space between a currency symbol and its amount)."""
    return re.sub(r"\s+", " ", text).strip()


@tagged("post_install", "-at_install")
class TestPdf(HttpCase):
    """The agreement and a billing run's invoice print as real PDFs whose text
    says who the client is, what it buys and what it costs; the portal's
    Download PDF serves the same report.

    Real PDFs need wkhtmltopdf (scripts/bootstrap.sh installs Debian's) and,
    to read them back, pdftotext (poppler-utils). The reports are rendered with
    ``force_report_rendering``: without it, Odoo under tests returns the
    report's HTML in place of the PDF (ir.actions.report._pre_render_qweb_pdf).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contoso = cls.env.ref(
            "msp_psa.agreement_contoso_demo", raise_if_not_found=False
        )
        cls.Report = cls.env["ir.actions.report"].with_context(
            force_report_rendering=True
        )

    def setUp(self):
        super().setUp()
        if self.Report.get_wkhtmltopdf_state() != "ok":
            self.skipTest(
                "wkhtmltopdf is not installed (or not usable): reports cannot "
                "print; scripts/bootstrap.sh installs Debian's wkhtmltopdf"
            )
        if not shutil.which("pdftotext"):
            self.skipTest("pdftotext is not installed (Debian's poppler-utils)")
        if not self.contoso:
            self.skipTest("demo data not installed")
        # The reports' style sheets, built once as a running server has them,
        # rather than built by the test server while wkhtmltopdf asks for both
        # at once (where one of them was once missing: an unstyled PDF).
        for bundle in ("web.report_assets_common", "web.report_assets_pdf"):
            self.env["ir.qweb"]._get_asset_bundle(bundle, css=True, js=False).css()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _render_pdf(self, report, records):
        """Render ``report`` for ``records`` through wkhtmltopdf, one call per
        document (Debian's wkhtmltopdf, on unpatched Qt, prints one document
        per call), and return the PDF's text."""
        texts = []
        for record in records:
            pdf, report_type = self.Report._render_qweb_pdf(report, record.ids)
            self.assertEqual(report_type, "pdf")
            self.assertTrue(pdf.startswith(b"%PDF-"), pdf[:40])
            text = self._pdf_text(pdf)
            self.assertTrue(
                text,
                "the PDF has no text: wkhtmltopdf drew it as outlines "
                "(is the system's Lato font, Debian's fonts-lato, installed?)",
            )
            texts.append(text)
        return "\n".join(texts)

    def _pdf_text(self, pdf):
        result = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return _squash(result.stdout.decode())

    def _money(self, amount, record):
        """An amount as the report shows it: in the client's language, with
        its currency."""
        env = self.env(context={**self.env.context, "lang": record.partner_id.lang})
        return _squash(formatLang(env, amount, currency_obj=record.currency_id))

    # ------------------------------------------------------------------
    # The agreement
    # ------------------------------------------------------------------
    def test_agreement_pdf(self):
        fabrikam = self.env.ref("msp_psa.agreement_fabrikam_demo")
        texts = {}
        for agreement in self.contoso | fabrikam:
            text = texts[agreement] = self._render_pdf(AGREEMENT_REPORT, agreement)
            self.assertIn(f"Agreement {agreement.name}", text)
            self.assertIn(agreement.partner_id.name, text)
            self.assertIn(
                f"Monthly total today: {self._money(agreement.mrr, agreement)}", text
            )
            additions = agreement._msp_portal_additions()
            self.assertTrue(additions)
            for addition in additions:
                # one row: the service, its quantity (and what is included),
                # its unit price and its monthly amount with their currency, or
                # "one-time"
                service = _squash(addition.name.splitlines()[0])
                price = self._money(addition.price_unit, agreement)
                monthly = (
                    self._money(addition.monthly_amount, agreement)
                    if addition.recurrence == "recurring"
                    else "one-time"
                )
                self.assertRegex(
                    text,
                    re.escape(service)
                    + r" [\d.,]+ (?:[\d.,]+ )?"
                    + re.escape(f"{price} {monthly}"),
                )

        # a time & materials client reads the rates it pays per hour, and a
        # counted service says what it counts
        text = texts[fabrikam]
        self.assertIn("Labour Work Hourly rate", text)
        self.assertTrue(fabrikam.rate_ids)
        for rate in fabrikam.rate_ids:
            work = rate.work_type_id.name or "Any other work"
            self.assertIn(f"{work} {self._money(rate.price_unit, fabrikam)}", text)
        self.assertIn("One per Workstation in service, counted automatically", text)

        # a block-hours client reads its block and its service levels
        text = texts[self.contoso]
        self.assertIn(
            "billed monthly in advance",
            text,
            "the PDF is unstyled: wkhtmltopdf did not get the report's style sheets",
        )
        self.assertIn(
            f"{self.contoso.block_hours} hours per block at "
            f"{self._money(self.contoso.block_price, self.contoso)}",
            text,
        )
        self.assertIn(
            "Priority First response within Resolution within Service hours", text
        )

    # ------------------------------------------------------------------
    # An invoice of a billing run
    # ------------------------------------------------------------------
    def test_billing_run_invoice_pdf(self):
        day = self.contoso.next_invoice_date
        self.assertTrue(day)
        with freeze_time(day):
            run = self.env["msp.billing.run"]._run_agreements(
                self.contoso, date_ref=day
            )
        invoice = run.invoice_ids
        self.assertEqual(len(invoice), 1, run.issue_ids.mapped("message"))
        self.assertEqual(invoice.partner_id, self.contoso.partner_id)
        self.assertGreater(invoice.amount_total, 0)

        text = self._render_pdf(INVOICE_REPORT, invoice)
        self.assertIn(invoice.partner_id.name, text)
        self.assertIn(self.contoso.name, text)  # the invoice's source
        lines = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        self.assertTrue(lines)
        for line in lines:
            self.assertIn(_squash(line.name.splitlines()[0]), text)
            self.assertIn(self._money(line.price_subtotal, invoice), text)
        self.assertIn(f"Total {self._money(invoice.amount_total, invoice)}", text)

    # ------------------------------------------------------------------
    # The portal's Download PDF
    # ------------------------------------------------------------------
    def test_portal_download_pdf(self):
        """portal_contoso downloads its agreement as a PDF.

        Under tests the portal route returns the report's HTML with the PDF
        headers (Odoo does not run wkhtmltopdf in test mode, and the route
        cannot run it here: wkhtmltopdf would fetch the report's styles from
        this same test server while the request holds the test cursor). So
        the route is checked for its headers and report, and the call it makes
        (``_render_qweb_pdf`` as superuser, for the agreement) is run with
        ``force_report_rendering`` to a real PDF.
        """
        agreement = self.contoso
        self.authenticate("portal_contoso", "portal_contoso")
        response = self.url_open(
            f"{agreement.access_url}?report_type=pdf&download=true"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        filename = re.sub(r"\W+", "_", f"Agreement {agreement.name}")
        self.assertEqual(
            response.headers["Content-Disposition"],
            f"attachment; filename*=UTF-8''{filename}.pdf",
        )
        self.assertIn(agreement.name, response.text)
        self.assertIn(agreement.partner_id.name, response.text)

        pdf, report_type = (
            self.Report.sudo()
            .with_company(agreement.company_id)
            ._render_qweb_pdf(
                AGREEMENT_REPORT, agreement.ids, data={"report_type": "pdf"}
            )
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        text = self._pdf_text(pdf)
        self.assertIn(f"Agreement {agreement.name}", text)
        self.assertIn(agreement.partner_id.name, text)

        # another client's agreement gives no PDF to this user
        other = self.env.ref("msp_psa.agreement_acme_demo")
        response = self.url_open(
            f"{other.access_url}?report_type=pdf", allow_redirects=False
        )
        self.assertNotEqual(response.headers.get("Content-Type"), "application/pdf")
        self.assertEqual(response.status_code, 303)
