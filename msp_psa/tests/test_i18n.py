# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from pathlib import Path

from babel.messages.extract import extract_python

from odoo.tests import BaseCase

ADDON = Path(__file__).resolve().parent.parent


class TestTranslatableTerms(BaseCase):
    """Every Python file of the addon gives up its translatable terms: an
    f-string inside a translated call makes the exporter drop the whole file
    (Babel evaluates the call's string tokens), so its texts would never be
    translated."""

    def test_every_file_extracts(self):
        failed = []
        for path in sorted(ADDON.rglob("*.py")):
            with path.open("rb") as source:
                try:
                    list(extract_python(source, ["_", "_lt"], [], {}))
                except Exception as error:  # noqa: BLE001 - report every file
                    failed.append(f"{path.relative_to(ADDON)}: {error!r}")
        self.assertFalse(failed)
