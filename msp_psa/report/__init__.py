from . import msp_ratio_report_mixin
from . import msp_mrr_report
from . import msp_sla_report
from . import msp_utilisation_report
from . import msp_profitability_report
from . import msp_profitability_demo
