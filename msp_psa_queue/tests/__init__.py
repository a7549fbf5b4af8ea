# compat first: it prepares what queue_job's test helpers import.
from . import compat
from . import test_billing_jobs
from . import test_revenue_jobs
from . import test_sla_jobs
