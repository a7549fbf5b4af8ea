# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.msp_psa.tools import movement

from .common import MspPsaCommon

MEASURES = [
    "opening_mrr:sum",
    "new_mrr:sum",
    "expansion_mrr:sum",
    "contraction_mrr:sum",
    "churn_mrr:sum",
    "reactivation_mrr:sum",
    "closing_mrr:sum",
]


@tagged("post_install", "-at_install")
class TestMrrMovement(MspPsaCommon):
    """MRR movement from the dated history, on a crafted year."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Month = cls.env["msp.mrr.month"]
        with freeze_time("2026-01-05"):
            cls.first = cls._create_agreement(
                date_start=date(2026, 1, 1),
                fixed_fee=500.0,
                fee_product_id=cls.product_fee.id,
            )
            cls.seats = cls._create_addition(cls.first, quantity=10, price_unit=25.0)
            cls.first.action_activate()
        with freeze_time("2026-02-10"):
            cls.seats.quantity = 14  # seats added
        with freeze_time("2026-03-05"):
            cls.seats.quantity = 12  # seats removed
            cls.other = cls._create_agreement(
                partner_id=cls.other_client.id,
                date_start=date(2026, 3, 1),
                fixed_fee=100.0,
                billing_model="per_device",
            )
            cls.other.action_activate()
        with freeze_time("2026-04-20"):
            cls.first.action_cancel()  # churn
        with freeze_time("2026-06-01"):
            # the client comes back with a new agreement
            cls.second = cls._create_agreement(
                date_start=date(2026, 6, 1), fixed_fee=300.0
            )
            cls.second.action_activate()
        cls.agreements = cls.first | cls.other | cls.second

    def _refresh(self, **kwargs):
        with freeze_time("2026-07-15"):
            self.env.cr.flush()  # what the transactions scheduled
            self.Month._refresh(self.agreements, **kwargs)

    def _rows(self):
        return {
            (row.agreement_id, str(row.month)): (
                row.opening_mrr,
                row.new_mrr,
                row.expansion_mrr,
                row.contraction_mrr,
                row.churn_mrr,
                row.reactivation_mrr,
                row.closing_mrr,
            )
            for row in self.Month.search([("agreement_id", "in", self.agreements.ids)])
        }

    def test_crafted_history_to_the_cent(self):
        self._refresh()
        first, other, second = self.first, self.other, self.second
        #          opening  new   exp   contr churn  react closing
        expected = {
            (first, "2026-01-01"): (0.0, 750.0, 0.0, 0.0, 0.0, 0.0, 750.0),
            (first, "2026-02-01"): (750.0, 0.0, 100.0, 0.0, 0.0, 0.0, 850.0),
            (first, "2026-03-01"): (850.0, 0.0, 0.0, 50.0, 0.0, 0.0, 800.0),
            (first, "2026-04-01"): (800.0, 0.0, 0.0, 0.0, 800.0, 0.0, 0.0),
            (other, "2026-03-01"): (0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 100.0),
            (other, "2026-04-01"): (100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0),
            (other, "2026-05-01"): (100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0),
            (other, "2026-06-01"): (100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0),
            (other, "2026-07-01"): (100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0),
            (second, "2026-06-01"): (0.0, 0.0, 0.0, 0.0, 0.0, 300.0, 300.0),
            (second, "2026-07-01"): (300.0, 0.0, 0.0, 0.0, 0.0, 0.0, 300.0),
        }
        self.assertEqual(self._rows(), expected)
        row = self.Month.search(
            [("agreement_id", "=", second.id), ("month", "=", "2026-07-01")]
        )
        self.assertEqual(row.closing_arr, 3600.0)
        self.assertEqual(row.display_name, f"{second.name}, Jul 2026")

    def test_reconciles_by_client_model_and_month(self):
        self._refresh()
        domain = [("agreement_id", "in", self.agreements.ids)]
        for groupby in (
            ["month:month"],
            ["partner_id"],
            ["billing_model", "month:month"],
        ):
            for (
                *_keys,
                opening,
                new,
                exp,
                contr,
                churn,
                react,
                closing,
            ) in self.Month._read_group(domain, groupby, MEASURES):
                self.assertAlmostEqual(
                    opening + new + exp - contr - churn + react, closing, places=2
                )
        by_month = dict(self.Month._read_group(domain, ["month:month"], MEASURES[-1:]))
        self.assertEqual(by_month[date(2026, 4, 1)], 100.0)
        self.assertEqual(by_month[date(2026, 6, 1)], 400.0)

    def test_refresh_is_reproducible_and_windowed(self):
        self._refresh()
        full = self._rows()
        self._refresh()
        self.assertEqual(self._rows(), full, "a second refresh changes nothing")
        self._refresh(month_from=date(2026, 6, 1))
        self.assertEqual(self._rows(), full, "a window continues the history")
        self.assertEqual(
            self.Month.search_count(
                [("agreement_id", "=", self.second.id), ("month", "=", "2026-07-01")]
            ),
            1,
            "no duplicate row",
        )

    def test_quantity_change_refreshes_at_commit(self):
        self._refresh()
        with freeze_time("2026-07-15"):
            self.other.fixed_fee = 160.0
            row = self.Month.search(
                [("agreement_id", "=", self.other.id), ("month", "=", "2026-07-01")]
            )
            self.assertEqual(row.closing_mrr, 100.0, "not before the transaction ends")
            self.env.cr.flush()  # what a commit runs
            row = self.Month.search(
                [("agreement_id", "=", self.other.id), ("month", "=", "2026-07-01")]
            )
            self.assertEqual(row.closing_mrr, 160.0)

    def test_state_log(self):
        states = self.first.state_log_ids.sorted(lambda e: (e.date, e.id)).mapped(
            lambda e: (str(e.date), e.state)
        )
        self.assertEqual(
            states,
            [
                ("2026-01-05", "draft"),
                ("2026-01-05", "active"),
                ("2026-04-20", "cancelled"),
            ],
        )
        entry = self.first.state_log_ids.filtered(lambda e: e.state == "cancelled")
        self.assertEqual(
            entry.display_name, f"{self.first.name}: Cancelled from 20 Apr 2026"
        )

    def test_current_month_reads_today_and_matches_mrr_report(self):
        """This month's closing is today's MRR: the MRR report's figure."""
        self.env.cr.flush()
        today = date.today()
        self.Month._refresh(self.agreements)
        closing = sum(
            self.Month.search(
                [
                    ("agreement_id", "in", self.agreements.ids),
                    ("month", "=", movement.month_start(today)),
                ]
            ).mapped("closing_mrr")
        )
        report = sum(
            self.env["msp.mrr.report"]
            .search([("agreement_id", "in", self.agreements.ids)])
            .mapped("mrr")
        )
        self.assertAlmostEqual(closing, report, places=2)
        self.assertAlmostEqual(closing, 400.0, places=2)

    def test_cron_refreshes_this_month(self):
        self._refresh()
        self.env.cr.execute(
            "DELETE FROM msp_mrr_month WHERE agreement_id = %s AND month = %s",
            [self.other.id, "2026-07-01"],
        )
        with freeze_time("2026-07-16"):
            self.Month._cron_refresh_current_month()
        row = self.Month.search(
            [("agreement_id", "=", self.other.id), ("month", "=", "2026-07-01")]
        )
        self.assertEqual(row.closing_mrr, 100.0)

    def test_other_currency_at_the_months_rate(self):
        eur = self.setup_other_currency(
            "EUR", rates=[("2000-01-01", 2.0), ("2026-07-01", 4.0)]
        )
        with freeze_time("2026-05-02"):
            foreign = self._create_agreement(
                partner_id=self.other_client.id,
                date_start=date(2026, 5, 1),
                fixed_fee=100.0,
                currency_id=eur.id,
            )
            foreign.action_activate()
        with freeze_time("2026-07-15"):
            self.env.cr.flush()
            self.Month._refresh(foreign)
        closing = {
            str(row.month): row.closing_mrr
            for row in self.Month.search([("agreement_id", "=", foreign.id)])
        }
        # 100.00 EUR at 2 EUR, then at 4 EUR, per company-currency unit
        self.assertEqual(
            closing, {"2026-05-01": 50.0, "2026-06-01": 50.0, "2026-07-01": 25.0}
        )

    def test_a_failed_refresh_never_blocks_the_change(self):
        self._refresh()
        with (
            patch.object(
                type(self.Month), "_refresh", side_effect=ZeroDivisionError("bug")
            ),
            self.assertLogs(
                "odoo.addons.msp_psa.models.msp_mrr_month", level="ERROR"
            ) as logs,
        ):
            self.other.fixed_fee = 170.0
            self.env.cr.flush()
        self.assertEqual(self.other.fixed_fee, 170.0)
        self.assertIn("not refreshed", logs.output[0])
