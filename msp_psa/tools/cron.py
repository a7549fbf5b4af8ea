# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the scheduled actions share."""

import threading


def may_commit():
    """Whether a batch may be committed: not in a test, which runs in one
    transaction (Odoo's own idiom: the test thread carries ``testing``)."""
    return not getattr(threading.current_thread(), "testing", False)
