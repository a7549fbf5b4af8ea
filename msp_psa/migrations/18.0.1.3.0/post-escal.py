# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Price escalation (issue 12.2): the existing agreements get the default
notice of 30 days (a new column that is not required is left empty, which
reads 0: no notice). The rule ("none") and the anchor ("start") are required
with a default, which Odoo fills itself; the next escalation dates are
computed fields Odoo computes for every agreement (empty without a rule);
additions are not exempt (empty reads False)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE msp_agreement SET escalation_notice_days = 30"
        " WHERE escalation_notice_days IS NULL"
    )
