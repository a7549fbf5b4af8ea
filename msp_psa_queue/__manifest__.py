# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MSP PSA - Job Queue",
    "summary": "Run the MSP billing, revenue recognition and SLA batches as "
    "OCA queue jobs",
    "version": "18.0.1.0.0",
    "category": "Services/MSP",
    "website": "https://github.com/msp-psa/msp_psa",
    "author": "msp_psa authors",
    "license": "AGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["msp_psa", "queue_job"],
    "data": [
        "data/queue_job_channel_data.xml",
        "data/queue_job_function_data.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
