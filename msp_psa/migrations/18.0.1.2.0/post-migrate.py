# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """From 18.0.1.1.0: tickets waiting in a pause stage read *Paused*, as the
    SLA engine now says of them, instead of On Track or At Risk."""
    if not version:
        return
    cr.execute(
        """
        UPDATE helpdesk_ticket
           SET msp_sla_state = 'paused'
         WHERE msp_sla_paused
           AND msp_sla_state IN ('on_track', 'at_risk')
        """
    )
