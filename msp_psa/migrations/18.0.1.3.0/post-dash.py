# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """From 18.0.1.2.0: agreements get a dated state history
    (``msp.agreement.state.log``) and their MRR movement
    (``msp.mrr.month``) is computed for their whole history.

    The state history comes from the chatter's tracking of the state where
    there is one; an agreement without it counts from its start while it is
    not draft, and a cancelled, expired or suspended one changed state on its
    last write."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    from odoo.addons.msp_psa.models.msp_agreement import STATES

    keys = {key: key for key, _label in STATES}
    keys.update({label: key for key, label in STATES})
    cr.execute(
        """
        SELECT m.res_id, m.date::date, v.new_value_char
          FROM mail_tracking_value v
          JOIN mail_message m ON m.id = v.mail_message_id
          JOIN ir_model_fields f ON f.id = v.field_id
         WHERE f.model = 'msp.agreement' AND f.name = 'state'
           AND m.model = 'msp.agreement'
         ORDER BY m.res_id, m.date, v.id
        """
    )
    tracked = {}
    for agreement_id, day, label in cr.fetchall():
        state = keys.get(label)
        if state:
            tracked.setdefault(agreement_id, []).append((day, state))
    logged = set()
    cr.execute("SELECT DISTINCT agreement_id FROM msp_agreement_state_log")
    logged = {row[0] for row in cr.fetchall()}
    vals = []
    for agreement in env["msp.agreement"].search([("id", "not in", list(logged))]):
        steps = tracked.get(agreement.id)
        if steps:
            vals += [
                {"agreement_id": agreement.id, "date": day, "state": state}
                for day, state in steps
            ]
        elif agreement.state != "draft":
            vals.append(
                {
                    "agreement_id": agreement.id,
                    "date": agreement.date_start,
                    "state": "active",
                }
            )
            if agreement.state != "active":
                vals.append(
                    {
                        "agreement_id": agreement.id,
                        "date": max(agreement.write_date.date(), agreement.date_start),
                        "state": agreement.state,
                    }
                )
    env["msp.agreement.state.log"].create(vals)
    env["msp.mrr.month"]._refresh(env["msp.agreement"].search([]))
