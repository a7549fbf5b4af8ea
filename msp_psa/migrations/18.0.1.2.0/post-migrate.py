# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """From 18.0.1.1.0: tickets waiting in a pause stage read *Paused*, as the
    SLA engine now says of them, instead of On Track or At Risk; renewals and
    counted quantities run before the billing run, which no longer renews
    (the crons are ``noupdate``); the record rules are ``noupdate``, as they
    are now declared, so that an update keeps the rules an administrator
    adjusted."""
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_cron c
           SET priority = 1
          FROM ir_model_data d
         WHERE d.model = 'ir.cron' AND d.res_id = c.id AND d.module = 'msp_psa'
           AND d.name IN ('ir_cron_process_renewals',
                          'ir_cron_refresh_counted_quantities')
        """
    )
    cr.execute(
        """
        UPDATE helpdesk_ticket
           SET msp_sla_state = 'paused'
         WHERE msp_sla_paused
           AND msp_sla_state IN ('on_track', 'at_risk')
        """
    )
    cr.execute(
        """
        UPDATE ir_model_data
           SET noupdate = TRUE
         WHERE module = 'msp_psa' AND model = 'ir.rule' AND NOT noupdate
        """
    )
