# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """The jobs take over from the worker crons: deactivate them."""
    env["msp.billing.run"]._sync_worker_crons()


def uninstall_hook(env):
    """Back to msp_psa's own worker crons, as the companies' settings ask."""
    env["msp.billing.run"].with_context(msp_queue_uninstall=True)._sync_worker_crons()
