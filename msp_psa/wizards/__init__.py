from . import msp_billing_preview
from . import msp_billing_preview_line
from . import msp_revenue_report
from . import msp_leakage_wizard
from . import msp_usage_signal_dismiss
