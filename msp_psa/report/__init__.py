from . import msp_mrr_report
