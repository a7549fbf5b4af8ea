from . import msp_billing_run
