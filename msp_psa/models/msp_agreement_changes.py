# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The change orders of ``msp.agreement``: its smart button and what its
portal page shows of them."""

from odoo import fields, models

OPEN_STATES = ("sent",)
HISTORY_STATES = ("accepted", "applied", "declined", "expired")


class MspAgreement(models.Model):
    _inherit = "msp.agreement"  # pylint: disable=consider-merging-classes-inherited

    change_ids = fields.One2many(
        "msp.agreement.change", "agreement_id", string="Change Orders", readonly=True
    )
    change_count = fields.Integer(compute="_compute_change_count")

    def _compute_change_count(self):
        counts = dict(
            self.env["msp.agreement.change"]._read_group(
                [("agreement_id", "in", self.ids)], ["agreement_id"], ["__count"]
            )
        )
        for agreement in self:
            agreement.change_count = counts.get(agreement, 0)

    def action_view_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "msp_psa.msp_agreement_change_action"
        )
        action["domain"] = [("agreement_id", "=", self.id)]
        action["context"] = {"default_agreement_id": self.id}
        return action

    def action_new_change(self):
        """Open a new change order of the agreement."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "msp.agreement.change",
            "view_mode": "form",
            "target": "current",
            "context": {"default_agreement_id": self.id},
            "name": self.env._("New change order"),
        }

    def _msp_portal_change_values(self):
        """What the agreement's portal page shows of its change orders, from
        one read: ``{"msp_changes_open": proposals to sign,
        "msp_changes_history": the signed, declined and expired ones}``."""
        self.ensure_one()
        changes = (
            self.env["msp.agreement.change"]
            .sudo()
            .search(
                [
                    ("agreement_id", "=", self.id),
                    ("state", "in", OPEN_STATES + HISTORY_STATES),
                ],
                order="date_effective desc, id desc",
            )
        )
        return {
            "msp_changes_open": changes.filtered(lambda c: c.state in OPEN_STATES),
            "msp_changes_history": changes.filtered(
                lambda c: c.state in HISTORY_STATES
            ),
        }

    def _msp_portal_page_values(self):
        values = super()._msp_portal_page_values()
        values.update(self._msp_portal_change_values())
        return values

    def _msp_after_change_request(self, partner, request, addition, quantity, ticket):
        """The portal's one request form: besides the ticket, a draft change
        order (origin portal) for the account manager to complete, price and
        send for signature — with the asked quantity as its line when the
        client named a service whose quantity is typed in (a counted one
        follows the client's fleet)."""
        result = super()._msp_after_change_request(
            partner, request, addition, quantity, ticket
        )
        change = self.env["msp.agreement.change"]._msp_create_portal_request(
            self,
            partner,
            self.env._(
                "%(request)s (request %(ticket)s)",
                request=request[:1800],
                ticket=ticket.number or ticket.name,
            ),
            None,
        )
        if (
            addition
            and quantity is not None
            and addition.recurrence == "recurring"
            and addition.quantity_source != "counted"
        ):
            change.write(
                {
                    "line_ids": [
                        fields.Command.create(
                            {
                                "action": "quantity",
                                "addition_id": addition.id,
                                "quantity": quantity,
                            }
                        )
                    ]
                }
            )
        return result
