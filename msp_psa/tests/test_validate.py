# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
from datetime import date, datetime

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase

from odoo.addons.msp_psa.tools import validate
from odoo.addons.msp_psa.tools.validate import InputError


class TestValidate(BaseCase):
    """The checks of outside input, without records: what passes, parsed, and
    the message that names what does not."""

    def assertRefused(self, func, value, message, **kwargs):
        with self.assertRaises(InputError) as cm:
            func(value, "quantity of Seats on AGR-1", **kwargs)
        self.assertEqual(str(cm.exception), message)

    def test_to_float(self):
        to_float = validate.to_float
        self.assertEqual(to_float(12, "q"), 12.0)
        self.assertEqual(to_float(12.5, "q"), 12.5)
        self.assertEqual(to_float(" 7.25 ", "q"), 7.25)
        self.assertEqual(to_float(0, "q", minimum=0, required=False), 0.0)
        self.assertIsNone(to_float(None, "q", required=False))
        self.assertIsNone(to_float("", "q", required=False))
        not_finite = "quantity of Seats on AGR-1: %s is not a finite number."
        not_number = "quantity of Seats on AGR-1: %s is not a number."
        for value, message in (
            (math.nan, not_finite % "nan"),
            (math.inf, not_finite % "inf"),
            (-math.inf, not_finite % "-inf"),
            ("nan", not_finite % '"nan"'),
            ("inf", not_finite % '"inf"'),
            ("1e400", not_finite % '"1e400"'),
            ("twelve", not_number % '"twelve"'),
            ("", not_number % '""'),
            (None, not_number % "None"),
            (True, not_number % "True"),
            ([12], not_number % "[12]"),
            ({"q": 1}, not_number % "{'q': 1}"),
        ):
            with self.subTest(value=value):
                self.assertRefused(to_float, value, message)
        self.assertRefused(
            to_float,
            -3,
            "quantity of Seats on AGR-1: -3 is less than 0.",
            minimum=0,
        )
        self.assertRefused(
            to_float,
            "-0.5",
            'quantity of Seats on AGR-1: "-0.5" is less than 0.',
            minimum=0,
        )

    def test_to_date(self):
        to_date = validate.to_date
        self.assertEqual(to_date("2026-11-24", "d"), date(2026, 11, 24))
        self.assertEqual(to_date(date(2026, 2, 28), "d"), date(2026, 2, 28))
        self.assertEqual(to_date(datetime(2026, 2, 28, 23, 59), "d"), date(2026, 2, 28))
        self.assertIsNone(to_date(False, "d", required=False))
        self.assertEqual(
            to_date("2026-11-24", "d", latest=date(2026, 11, 24)), date(2026, 11, 24)
        )
        for value in (
            "2026-13-45",
            "2026-02-30",
            "yesterday",
            "2026-1-5",
            "24/11/2026",
            "2026-11-24garbage",
            20261124,
            None,
        ):
            with self.subTest(value=value):
                self.assertRefused(
                    to_date,
                    value,
                    "quantity of Seats on AGR-1: %s is not a date (YYYY-MM-DD)."
                    % validate.shown(value),
                )
        self.assertRefused(
            to_date,
            "2026-11-25",
            'quantity of Seats on AGR-1: "2026-11-25" is in the future (today is '
            "2026-11-24).",
            latest=date(2026, 11, 24),
        )

    def test_to_id(self):
        self.assertEqual(validate.to_id(5, "id"), 5)
        self.assertEqual(validate.to_id("42", "id"), 42)
        self.assertIsNone(validate.to_id("", "id", required=False))
        for value in (0, -1, "-1", "²", "٣", "4.0", 4.0, True, "abc", None, [1]):
            with self.subTest(value=value):
                self.assertRefused(
                    validate.to_id,
                    value,
                    "quantity of Seats on AGR-1: %s is not a record id."
                    % validate.shown(value),
                )

    def test_to_text(self):
        self.assertEqual(validate.to_text("  Add 3 users ", "t"), "Add 3 users")
        self.assertIsNone(validate.to_text(None, "t", required=False))
        self.assertIsNone(validate.to_text("   ", "t", required=False))
        self.assertRefused(
            validate.to_text, "  ", "quantity of Seats on AGR-1 is empty."
        )
        self.assertRefused(
            validate.to_text, 12, "quantity of Seats on AGR-1: 12 is not text."
        )
        self.assertRefused(
            validate.to_text,
            "x" * 45,
            'quantity of Seats on AGR-1: "%s…" is too long (45 characters, at most '
            "10)." % ("x" * 40),
            max_length=10,
        )

    def test_to_ref_and_choice(self):
        self.assertEqual(validate.to_ref(1234, "ref"), "1234")
        self.assertEqual(validate.to_ref(" u-1 ", "ref"), "u-1")
        self.assertRefused(
            validate.to_ref, None, "quantity of Seats on AGR-1 is missing."
        )
        self.assertRefused(
            validate.to_ref, False, "quantity of Seats on AGR-1 is missing."
        )
        self.assertEqual(validate.to_choice("rmm", "s", ["rmm", "m365"]), "rmm")
        self.assertRefused(
            validate.to_choice,
            "fax",
            'quantity of Seats on AGR-1: "fax" is not one of rmm, m365.',
            choices=["rmm", "m365"],
        )

    def test_to_dicts_and_unique(self):
        keys = ("external_ref", "name")
        rows = [{"external_ref": "a"}, {"external_ref": "b", "name": "B"}]
        self.assertEqual(validate.to_dicts(rows, "items", keys), rows)
        self.assertEqual(validate.to_dicts((), "items", keys), [])
        self.assertRefused(
            validate.to_dicts,
            {"external_ref": "a"},
            "quantity of Seats on AGR-1: {'external_ref': 'a'} is not a list of "
            "records.",
            keys=keys,
        )
        self.assertRefused(
            validate.to_dicts,
            [{"external_ref": "a"}, "b"],
            'quantity of Seats on AGR-1, entry 2: "b" is not a record (a dict).',
            keys=keys,
        )
        self.assertRefused(
            validate.to_dicts,
            [{"external_ref": "a", "activefrom": "2026-01-01"}],
            "quantity of Seats on AGR-1, entry 1: unknown key activefrom (known: "
            "external_ref, name).",
            keys=keys,
        )
        self.assertEqual(validate.unique(["a", "b"], "refs"), ["a", "b"])
        with self.assertRaises(InputError) as cm:
            validate.unique(["a", "b", "a", "a", "c", "b"], "refs")
        self.assertEqual(str(cm.exception), 'refs: "a", "b" given twice.')

    def test_user_errors(self):
        class Env:
            @staticmethod
            def _(message):
                return "translated: " + str(message)

        with self.assertRaises(ValidationError) as cm, validate.user_errors(Env()):
            validate.to_float("twelve", "quantity")
        self.assertEqual(
            cm.exception.args[0], 'translated: quantity: "twelve" is not a number.'
        )
        with validate.user_errors(Env()):
            self.assertEqual(validate.to_float("12", "quantity"), 12.0)
