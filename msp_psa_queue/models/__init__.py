from . import msp_billing_run
from . import msp_revenue_schedule_line
from . import helpdesk_ticket
