# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""queue_job 18.0.3 and later register their method patcher in
``odoo.tests.common.SETATTR_SOURCES`` (a list of known ``setattr`` sources a
later Odoo 18.0 added to quiet its warnings about patched methods). An Odoo
18.0 source older than that has no such dict and queue_job's test helpers fail
to import; give them an empty one. Nothing else changes: the dict only
silences a warning."""

from odoo.tests import common

if not hasattr(common, "SETATTR_SOURCES"):
    common.SETATTR_SOURCES = {}
