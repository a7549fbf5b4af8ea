# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models


# Demo set-up kept apart from the report's definition.
class MspProfitabilityReport(models.Model):
    _inherit = "msp.profitability.report"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _demo_setup(self):
        """The month before last: Acme profitable, Northwind barely, Contoso
        under water (its overage written off); Microsoft 365 licences bought on
        a vendor bill and attributed; Dana's cost rate rising mid-month. Its
        invoices are posted by hand (the billing engine bills from this month
        on). Does nothing twice."""
        ref = self.env.ref
        acme = ref("msp_psa.agreement_acme_demo")
        if self.env["account.move"].search_count(
            [("msp_agreement_id", "=", acme.id), ("ref", "=", "DEMO-PROFIT")], limit=1
        ):
            return
        month = fields.Date.context_today(self) + relativedelta(months=-2, day=1)
        northwind = ref("msp_psa.agreement_northwind_demo")
        contoso = ref("msp_psa.agreement_contoso_demo")
        dana = ref("msp_psa.employee_tech_dana_demo")
        ravi = ref("msp_psa.employee_tech_ravi_demo")
        Rate = self.env["msp.employee.cost.rate"]
        Rate.create(
            [
                {
                    "employee_id": dana.id,
                    "date_from": month + relativedelta(months=-6),
                    "hourly_cost": 40.0,
                },
                {
                    "employee_id": dana.id,
                    "date_from": month + relativedelta(day=15),
                    "hourly_cost": 48.0,
                },
                {
                    "employee_id": ravi.id,
                    "date_from": month + relativedelta(months=-6),
                    "hourly_cost": 38.0,
                },
            ]
        )
        project = ref("helpdesk_mgmt_timesheet.project_1")

        def time(agreement, employee, day, hours, name, **vals):
            return {
                "name": name,
                "project_id": project.id,
                "employee_id": employee.id,
                "date": month + relativedelta(day=day),
                "unit_amount": hours,
                "msp_agreement_id": agreement.id,
                **vals,
            }

        written_off = {
            "msp_non_billable": True,
            "msp_non_billable_reason": "Overage written off (goodwill)",
        }
        lines = self.env["account.analytic.line"].create(
            [
                time(acme, dana, 5, 3.0, "Quarterly security review"),
                time(acme, dana, 20, 3.0, "New starter laptops"),
                time(northwind, ravi, 6, 7.0, "Warehouse switch replacement"),
                time(northwind, ravi, 21, 8.0, "Scanner fleet re-enrolment"),
                time(contoso, dana, 8, 5.0, "Document management migration"),
                time(contoso, dana, 8, 3.0, "Migration, continued", **written_off),
                time(contoso, dana, 22, 8.0, "Migration clean-up", **written_off),
            ]
        )
        fee = ref("msp_psa.product_managed_services_fee_demo")
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": agreement.partner_id.id,
                    "invoice_date": month,
                    "ref": "DEMO-PROFIT",
                    "msp_agreement_id": agreement.id,
                    "invoice_origin": agreement.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": fee.id,
                                "name": f"{agreement.display_name}, "
                                f"{month.strftime('%B %Y')}",
                                "quantity": 1,
                                "price_unit": agreement.mrr,
                                "msp_agreement_id": agreement.id,
                                "analytic_distribution": {
                                    str(agreement.msp_analytic_account_id.id): 100.0
                                },
                            }
                        )
                    ],
                }
                for agreement in (acme, northwind, contoso)
            ]
        )
        invoices.action_post()
        # Contoso's prepaid hours were billed with its block (nothing to bill
        # again); the written-off hours are not billable.
        contoso_invoice = invoices.filtered(lambda m: m.msp_agreement_id == contoso)
        lines.filtered(
            lambda line: line.msp_agreement_id == contoso and not line.msp_non_billable
        ).msp_invoice_line_id = contoso_invoice.invoice_line_ids[:1]
        # Microsoft 365 licences from the distributor, attributed to the
        # agreements that resell them.
        m365 = ref("msp_psa.product_m365_premium_demo")
        cost_of_sales = self.env["account.account"].search(
            [
                ("account_type", "=", "expense_direct_cost"),
                ("company_ids", "in", acme.company_id.id),
            ],
            limit=1,
        )
        distributor = self.env["res.partner"].create(
            {"name": "Cloud Licence Distribution Ltd", "is_company": True}
        )
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": distributor.id,
                "invoice_date": month + relativedelta(day=3),
                "ref": "CLD-M365",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": m365.id,
                            "quantity": addition.quantity,
                            "price_unit": 22.0,
                            "account_id": cost_of_sales.id,
                            "msp_client_id": addition.partner_id.id,
                        }
                    )
                    for addition in (
                        ref("msp_psa.addition_acme_m365_demo"),
                        ref("msp_psa.addition_contoso_m365_demo"),
                    )
                ],
            }
        )
        bill.action_post()
        bill.invoice_line_ids.action_msp_attribute_suggested()
        self._msp_refresh()
