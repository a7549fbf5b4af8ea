from . import test_periods
from . import test_agreement
from . import test_agreement_addition
from . import test_managed_item
from . import test_security
from . import test_mrr_report
from . import test_external_api
from . import test_demo
