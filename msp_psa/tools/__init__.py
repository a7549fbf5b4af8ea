from . import periods
from . import billing
