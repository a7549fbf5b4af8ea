# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context, frozendict

from ..tools import fast_path


class AccountMove(models.Model):
    """Batched invoice creation: Odoo's own tax and payment-term computations,
    without the line-by-line synchronisation of ``account.move.create``."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _msp_fast_path_enabled(self):
        # sudo: a technical switch read by the billing engine
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(fast_path.SWITCH_PARAM, "1")
        )
        return fast_path.switch_on(param)

    @api.model
    def _msp_create_invoices(self, vals_list):
        """Create customer invoices from ``vals_list``, in that order.

        With the fast path on (the default; the system parameter
        ``msp_psa.invoice_fast_path`` = ``0`` switches it off), the invoices it
        supports are built in one batch; the others (cash rounding,
        early-payment discounts, no
        python-code taxes) go through ``create`` as usual."""
        if not vals_list:
            return self.browse()
        if not self._msp_fast_path_enabled():
            return self.create(vals_list)
        # Read once for the batch what the per-invoice decisions look at.
        self.env["product.product"].browse(
            {
                cmd[2]["product_id"]
                for vals in vals_list
                for cmd in vals.get("invoice_line_ids", [])
                if cmd[0] == 0 and cmd[2].get("product_id")
            }
        ).taxes_id.children_tax_ids.mapped("amount_type")
        mapped_taxes = self._msp_fiscal_position_taxes(
            {vals.get("company_id") or self.env.company.id for vals in vals_list}
        )
        fast_idx, slow_idx = [], []
        for index, vals in enumerate(vals_list):
            supports = self._msp_fast_path_supports(vals, mapped_taxes)
            target = fast_idx if supports else slow_idx
            target.append(index)
        ids = [None] * len(vals_list)
        if fast_idx:
            moves = self._msp_create_fast([vals_list[i] for i in fast_idx])
            for index, move in zip(fast_idx, moves, strict=True):
                ids[index] = move.id
        if slow_idx:
            moves = self.create([vals_list[i] for i in slow_idx])
            for index, move in zip(slow_idx, moves, strict=True):
                ids[index] = move.id
        return self.browse(ids)

    @api.model
    def _msp_fiscal_position_taxes(self, company_ids):
        """The taxes fiscal positions of these companies may put on a line."""
        return (
            self.env["account.fiscal.position.tax"]
            .search([("company_id", "in", list(company_ids))])
            .tax_dest_id
        )

    @api.model
    def _msp_fast_path_supports(self, vals, mapped_taxes=None):
        """Whether the fast path builds the invoice of ``vals`` exactly as
        ``create`` would (``mapped_taxes``: the fiscal positions' taxes, read
        once per batch)."""
        term = self.env["account.payment.term"].browse(
            vals.get("invoice_payment_term_id")
        )
        company = self.env["res.company"].browse(vals.get("company_id")) or (
            self.env.company
        )
        products = self.env["product.product"].browse(
            [
                cmd[2]["product_id"]
                for cmd in vals.get("invoice_line_ids", [])
                if cmd[0] == 0 and cmd[2].get("product_id")
            ]
        )
        journal = self.env["account.journal"].browse(vals.get("journal_id"))
        if mapped_taxes is None:
            mapped_taxes = self._msp_fiscal_position_taxes(company.ids)
        taxes = (
            products.taxes_id
            | journal.default_account_id.tax_ids
            | mapped_taxes.filtered(lambda tax: tax.company_id == company)
        )
        taxes |= taxes.children_tax_ids
        return fast_path.supported(
            vals.get("move_type"),
            bool(vals.get("invoice_cash_rounding_id")),
            bool(term.early_discount),
            taxes.mapped("amount_type"),
        )

    @api.model
    def _msp_update_base_lines(self, updates):
        """Give the product lines just created their amounts and tax tags
        (``updates``: ``[(line, {"balance", "amount_currency",
        "tax_tag_ids"})]``, as ``account.tax._prepare_tax_lines`` gives them).

        What a ``write`` per line would do for draft lines of moves still
        being built, for all lines at once: the values set, what depends on
        them marked to recompute and their constraints checked once, instead
        of a trigger tree walked line by line. The business logic of
        ``account.move.line.write`` does not apply to them: the moves are
        draft, never posted nor hashed, their lines unreconciled, and the
        synchronisation it would run is the one this path replaces."""
        if not updates:
            return
        names = ["balance", "amount_currency", "tax_tag_ids"]
        lines = self.env["account.move.line"].browse(
            [line.id for line, _vals in updates]
        )
        lines.check_access("write")
        # As write does: what depends on the lines through the tags is
        # marked before they change, everything after.
        lines.modified(["tax_tag_ids"], before=True)
        Line = self.env["account.move.line"]
        with self.env.protecting([Line._fields[name] for name in names], lines):
            for line, vals in updates:
                for name in names:
                    line[name] = vals[name]
        lines.modified(names)
        lines._validate_fields(names)

    @api.model
    def _msp_create_fast(self, vals_list):
        """Create the invoices with their product lines only (no dynamic line
        synchronisation, as Point of Sale does), then add their tax and
        receivable lines computed by ``account.tax`` and the payment terms, in
        one creation for the batch; check every move is balanced."""
        # skip_invoice_line_sync: the line-level synchronisation would write
        # each new product line's balance from its amount in currency, both
        # still 0 here (two writes a line for nothing); the base lines get
        # their balance and amount in currency from the tax computation below.
        Move = self.with_context(
            skip_invoice_sync=True,
            skip_invoice_line_sync=True,
            check_move_validity=False,
        )
        moves = Move.create(vals_list)
        AccountTax = self.env["account.tax"]
        tax_vals, term_vals, base_updates = [], [], []
        for move in moves:
            company = move.company_id
            base_lines, _tax_lines = move._get_rounded_base_and_tax_lines(
                round_from_tax_lines=False
            )
            AccountTax._add_accounting_data_in_base_lines_tax_details(
                base_lines, company, include_caba_tags=move.always_tax_exigible
            )
            results = AccountTax._prepare_tax_lines(base_lines, company)
            untaxed = untaxed_currency = tax = tax_currency = 0.0
            for base_line, to_update in results["base_lines_to_update"]:
                base_updates.append((base_line["record"], to_update))
                untaxed -= to_update["balance"]
                untaxed_currency -= to_update["amount_currency"]
            for line_vals in results["tax_lines_to_add"]:
                tax_vals.append(
                    {**line_vals, "display_type": "tax", "move_id": move.id}
                )
                tax -= line_vals["balance"]
                tax_currency -= line_vals["amount_currency"]
            if not move.invoice_payment_term_id:
                # One receivable line for the total, due on the invoice's due
                # date: account.move._compute_needed_terms without terms.
                term_vals.append(
                    {
                        "move_id": move.id,
                        "date_maturity": move.invoice_date_due,
                        "discount_date": False,
                        "discount_balance": 0.0,
                        "discount_amount_currency": 0.0,
                        "balance": untaxed + tax,
                        "amount_currency": untaxed_currency + tax_currency,
                        "display_type": "payment_term",
                    }
                )
                continue
            # The same figures and signs as account.move._compute_needed_terms
            # on a stored invoice.
            terms = move.invoice_payment_term_id._compute_terms(
                date_ref=move.invoice_date
                or move.date
                or fields.Date.context_today(move),
                currency=move.currency_id,
                tax_amount_currency=tax_currency,
                tax_amount=tax,
                untaxed_amount_currency=untaxed_currency,
                untaxed_amount=untaxed,
                company=company,
                cash_rounding=move.invoice_cash_rounding_id,
                sign=-move.direction_sign,
            )
            needed = {}
            for term_line in terms["line_ids"]:
                key = frozendict(
                    {
                        "move_id": move.id,
                        "date_maturity": fields.Date.to_date(term_line.get("date")),
                        "discount_date": terms.get("discount_date"),
                    }
                )
                values = {
                    "balance": term_line["company_amount"],
                    "amount_currency": term_line["foreign_amount"],
                    "discount_date": terms.get("discount_date"),
                    "discount_balance": terms.get("discount_balance") or 0.0,
                    "discount_amount_currency": terms.get("discount_amount_currency")
                    or 0.0,
                }
                if key in needed:
                    needed[key]["balance"] += values["balance"]
                    needed[key]["amount_currency"] += values["amount_currency"]
                else:
                    needed[key] = values
            term_vals += [
                {**key, **values, "display_type": "payment_term"}
                for key, values in needed.items()
            ]
        self._msp_update_base_lines(base_updates)
        self.env["account.move.line"].with_context(
            clean_context(self.env.context),
            skip_invoice_sync=True,
            check_move_validity=False,
        ).create(tax_vals + term_vals)
        # The invariant the normal path checks on create: every move balanced.
        unbalanced = moves._get_unbalanced_moves({"records": moves})
        if unbalanced:
            raise UserError(
                self.env._(
                    "These invoices would not be balanced: %(names)s",
                    names=", ".join(
                        self.browse(row[0]).display_name for row in unbalanced
                    ),
                )
            )
        return self.browse(moves.ids)
