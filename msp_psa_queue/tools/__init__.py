from . import worker_job
