from . import msp_mrr_report
from . import msp_sla_report
from . import msp_utilisation_report
