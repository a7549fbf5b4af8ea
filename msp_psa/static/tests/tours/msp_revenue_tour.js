/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// An accountant closing the month checks that the deferred revenue accounts
// hold exactly what is not yet recognised.
registry.category("web_tour.tours").add("msp_psa_revenue_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Invoicing / Accounting",
            trigger: '.o_app[data-menu-xmlid="account.menu_finance"]',
            run: "click",
        },
        {
            content: "Open Reporting",
            trigger: '.o_main_navbar [data-menu-xmlid="account.menu_finance_reports"]',
            run: "click",
        },
        {
            content: "Open the balance and check",
            trigger: '.dropdown-item[data-menu-xmlid="msp_psa.msp_revenue_report_menu"]',
            run: "click",
        },
        {
            content: "Check the accounts",
            trigger: ".modal button[name=action_check]",
            run: "click",
        },
        {
            content: "The accounts hold exactly what is not yet recognised",
            trigger: ".o_form_view .alert-success:contains(exactly the revenue not yet recognised)",
        },
    ],
});
