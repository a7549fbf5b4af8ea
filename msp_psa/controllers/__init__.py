from . import portal
from . import change_order
