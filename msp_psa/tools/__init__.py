from . import periods
from . import billing
from . import revenue
from . import mrr
from . import labels
from . import cron
from . import profitability
from . import fast_path
