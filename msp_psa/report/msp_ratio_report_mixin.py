# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL


class MspRatioReportMixin(models.AbstractModel):
    """A report whose percentages are ratios of sums.

    A percentage of a group (met %, utilisation %) is its summed numerator ÷
    its summed denominator, never an average of the rows' percentages,
    whatever aggregate the pivot or graph asks for; empty (NULL) where the
    denominator sums to zero, so a screen shows "—" rather than 0.
    ``_ratio_fields`` maps each percentage field to its (numerator,
    denominator) fields.
    """

    _name = "msp.ratio.report.mixin"
    _description = "MSP Report with Weighted Percentages"
    _ratio_fields = {}

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname not in self._ratio_fields:
            return super()._read_group_select(aggregate_spec, query)
        part, whole = (
            self._field_to_sql(self._table, name, query)
            for name in self._ratio_fields[fname]
        )
        return SQL(
            "ROUND((100.0 * SUM(%s) / NULLIF(SUM(%s), 0))::numeric, 2)::float",
            part,
            whole,
        )
