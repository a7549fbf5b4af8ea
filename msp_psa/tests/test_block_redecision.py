# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from odoo.addons.msp_psa.models.account_analytic_line import AccountAnalyticLine
from odoo.addons.msp_psa.tools import blocks

from .common import MspPsaCommon

DECISION = (
    "msp_billing_decision",
    "msp_decision_reason",
    "msp_prepaid_hours",
    "msp_overage_hours",
    "msp_product_id",
    "msp_price_unit",
)


class TestMergeWindows(BaseCase):
    """Pure: the spans a change re-decides."""

    def test_merge_windows(self):
        jan = (date(2026, 1, 1), date(2026, 1, 31))
        feb = (date(2026, 2, 1), date(2026, 2, 28))
        self.assertEqual(
            blocks.merge_windows(
                [
                    (*feb, date(2026, 2, 20)),
                    (*jan, date(2026, 1, 12)),
                    (*jan, date(2026, 1, 5)),
                    (*feb, date(2026, 2, 3)),
                ]
            ),
            [(*jan, date(2026, 1, 5)), (*feb, date(2026, 2, 3))],
        )
        # Rolled-over hours: open-ended windows overlap and merge.
        self.assertEqual(
            blocks.merge_windows(
                [
                    (date(2026, 2, 1), date.max, date(2026, 4, 2)),
                    (date(2026, 1, 1), date.max, date(2026, 3, 9)),
                ]
            ),
            [(date(2026, 1, 1), date.max, date(2026, 3, 9))],
        )
        self.assertEqual(blocks.merge_windows([]), [])


@tagged("post_install", "-at_install")
class TestBlockRedecision(MspPsaCommon):
    """A change to block time decides again only the lines whose place in the
    block it can move: those at or after the earliest work date it touches, in
    that block window; the result is what deciding everything gives."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["project.project"].create({"name": "Block work"})
        cls.employee = cls.env["hr.employee"].create({"name": "Tech"})
        cls.agreement = cls._create_agreement(
            billing_model="block_hours",
            fee_product_id=cls.product_fee.id,
            block_hours=10.0,
            block_price=1000.0,
            block_product_id=cls.product_fee.id,
            overage_rate=150.0,
        )
        cls.agreement.action_activate()

    def _vals(self, day, hours):
        return {
            "name": f"Work {day}",
            "project_id": self.project.id,
            "date": day,
            "unit_amount": hours,
            "msp_agreement_id": self.agreement.id,
            "employee_id": self.employee.id,
        }

    def _decided(self):
        """Run the block split and return the ids it decided."""
        decided = []
        original = AccountAnalyticLine._msp_prepare_block_decision_vals

        def recording(line, ledgers):
            decided.append(line.id)
            return original(line, ledgers)

        return decided, patch.object(
            AccountAnalyticLine, "_msp_prepare_block_decision_vals", recording
        )

    def _state(self, lines):
        return {
            line.id: tuple(
                line[name].id if name == "msp_product_id" else line[name]
                for name in DECISION
            )
            for line in lines
        }

    def _assert_as_full_recompute(self, lines):
        """The stored decisions are those of deciding every open line again."""
        before = self._state(lines)
        self.agreement._msp_redecide_time()
        lines.invalidate_recordset()
        self.assertEqual(self._state(lines), before)

    def test_edit_redecides_from_its_date_on(self):
        Line = self.env["account.analytic.line"]
        early, middle, late, later = Line.create(
            [
                self._vals("2026-01-05", 4.0),
                self._vals("2026-01-10", 4.0),
                self._vals("2026-01-20", 4.0),
                self._vals("2026-01-25", 1.0),
            ]
        )
        self.assertEqual(
            [
                (line.msp_prepaid_hours, line.msp_overage_hours)
                for line in Line.browse([early.id, middle.id, late.id, later.id])
            ],
            [(4.0, 0.0), (4.0, 0.0), (2.0, 2.0), (0.0, 1.0)],
        )
        decided, recording = self._decided()
        self.env.flush_all()
        with recording:
            middle.unit_amount = 5.0
        self.assertEqual(sorted(decided), sorted([middle.id, late.id, later.id]))
        self.assertEqual(
            (late.msp_prepaid_hours, late.msp_overage_hours, late.msp_billing_decision),
            (1.0, 3.0, "billable"),
        )
        self.assertEqual(
            late.msp_decision_reason,
            "1 h drawn from the block, 3 h beyond the block of 1–31 Jan 2026 "
            "at 150.00 an hour",
        )
        self.assertEqual((early.msp_prepaid_hours, early.msp_overage_hours), (4.0, 0.0))
        self._assert_as_full_recompute(early | middle | late | later)

    def test_line_before_the_edit_is_not_rewritten(self):
        Line = self.env["account.analytic.line"]
        early, late = Line.create(
            [self._vals("2026-01-05", 4.0), self._vals("2026-01-20", 4.0)]
        )
        written = []
        original_write = AccountAnalyticLine.write

        def recording_write(lines, vals):
            written.append((frozenset(lines.ids), frozenset(vals)))
            return original_write(lines, vals)

        decided, recording = self._decided()
        with recording, patch.object(AccountAnalyticLine, "write", recording_write):
            late.unit_amount = 8.0
        self.assertEqual(decided, [late.id])
        # Only the edited line is written: its hours, its cost, its decision.
        self.assertEqual({ids for ids, _fields in written}, {frozenset(late.ids)})
        self.assertIn(
            frozenset(
                {
                    "msp_billing_decision",
                    "msp_decision_reason",
                    "msp_prepaid_hours",
                    "msp_overage_hours",
                    "msp_product_id",
                    "msp_price_unit",
                    "msp_to_review",
                }
            ),
            {names for _ids, names in written},
        )
        self.assertEqual((late.msp_prepaid_hours, late.msp_overage_hours), (6.0, 2.0))
        self.assertEqual((early.msp_prepaid_hours, early.msp_overage_hours), (4.0, 0.0))
        self._assert_as_full_recompute(early | late)

    def test_back_dated_batch_create_decides_once(self):
        Line = self.env["account.analytic.line"]
        first = Line.create(
            [self._vals("2026-01-10", 3.0), self._vals("2026-01-20", 3.0)]
        )
        first_line, second_line = first
        decided, recording = self._decided()
        with recording:
            batch = Line.create(
                [
                    self._vals("2026-01-15", 3.0),
                    self._vals("2026-01-12", 2.0),
                    self._vals("2026-02-03", 1.0),
                ]
            )
        # One pass: each line at or after 12 January (and February's) once;
        # the line of 10 January is not decided again.
        self.assertEqual(sorted(decided), sorted([second_line.id, *batch.ids]))
        self.assertNotIn(first_line.id, decided)
        self.assertEqual(
            [(line.msp_prepaid_hours, line.msp_overage_hours) for line in batch],
            [(3.0, 0.0), (2.0, 0.0), (1.0, 0.0)],
        )
        self.assertEqual(
            (second_line.msp_prepaid_hours, second_line.msp_overage_hours), (2.0, 1.0)
        )
        self._assert_as_full_recompute(first | batch)

    def test_delete_and_move_redecide_what_follows(self):
        Line = self.env["account.analytic.line"]
        lines = Line.create(
            [
                self._vals("2026-01-05", 4.0),
                self._vals("2026-01-08", 3.0),
                self._vals("2026-01-12", 4.0),
                self._vals("2026-01-28", 2.0),
            ]
        )
        a, b, c, d = lines
        self.assertEqual((d.msp_prepaid_hours, d.msp_overage_hours), (0.0, 2.0))
        decided, recording = self._decided()
        with recording:
            b.unlink()
        self.assertEqual(sorted(decided), sorted([c.id, d.id]))
        self.assertEqual((d.msp_prepaid_hours, d.msp_overage_hours), (2.0, 0.0))
        # Moved later: everything from its old date on is decided again.
        decided.clear()
        with recording:
            a.date = "2026-01-30"
        self.assertEqual(sorted(decided), sorted([a.id, c.id, d.id]))
        self.assertEqual(
            [(line.msp_prepaid_hours, line.msp_overage_hours) for line in (c, d, a)],
            [(4.0, 0.0), (2.0, 0.0), (4.0, 0.0)],
        )
        self._assert_as_full_recompute(a | c | d)

    def test_rolled_over_blocks_as_full_recompute(self):
        self.agreement.block_rollover_months = 2
        Line = self.env["account.analytic.line"]
        lines = Line.create(
            [
                self._vals("2026-01-10", 6.0),
                self._vals("2026-02-10", 9.0),
                self._vals("2026-02-20", 4.0),
                self._vals("2026-03-05", 8.0),
            ]
        )
        decided, recording = self._decided()
        with recording:
            lines[1].unit_amount = 10.0
        self.assertNotIn(lines[0].id, decided)
        self.assertEqual(sorted(decided), sorted(lines[1:].ids))
        self._assert_as_full_recompute(lines)
