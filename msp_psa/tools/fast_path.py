# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Which invoices the batched creation path may build itself.

Pure decisions on plain values; the model helper
(``models/account_move_fast.py``) reads the records and asks here.
"""

# Tax kinds whose lines Odoo's own ``account.tax`` computation builds from base
# lines alone; anything else (python code, ...) takes the normal path.
SUPPORTED_TAX_TYPES = frozenset({"percent", "fixed", "division", "group"})
SWITCH_PARAM = "msp_psa.invoice_fast_path"


def switch_on(value):
    """The system parameter's text as a switch: on unless it says off."""
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def supported(move_type, has_cash_rounding, has_early_discount, tax_types):
    """True when the fast path builds this invoice exactly as the ORM would.

    ``tax_types``: the ``amount_type`` of every tax its lines may carry (the
    products' taxes and the fiscal positions' replacements, children of groups
    included)."""
    if move_type not in ("out_invoice", "out_refund"):
        return False
    if has_cash_rounding or has_early_discount:
        return False
    return set(tax_types) <= SUPPORTED_TAX_TYPES
