/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// An account manager opens the MSP app, finds an agreement, previews its next
// invoice, then opens the billing runs.
registry.category("web_tour.tours").add("msp_psa_backend_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the MSP app",
            trigger: '.o_app[data-menu-xmlid="msp_psa.msp_psa_menu_root"]',
            run: "click",
        },
        {
            content: "The app opens on its overview; go to the agreements",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_psa.msp_psa_menu_agreements"]',
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="msp_psa.msp_agreement_menu"]',
            run: "click",
        },
        {
            content: "Open the tour's agreement from the kanban",
            trigger: ".o_kanban_record:contains(Tour Dental IT)",
            run: "click",
        },
        {
            content: "The form shows the additions",
            trigger: ".o_form_view .o_field_one2many[name=addition_ids] .o_data_row",
        },
        {
            content: "Preview the next invoice",
            trigger: ".o_form_view button[name=action_preview_invoice]",
            run: "click",
        },
        {
            content: "The preview totals the fee and the seats",
            trigger: ".modal .o_field_widget[name=amount_untaxed]:contains(750.00)",
        },
        {
            content: "Close the preview",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "Go to the billing runs",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_psa.msp_psa_menu_billing"]',
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="msp_psa.msp_billing_run_menu"]',
            run: "click",
        },
        {
            content: "The billing runs list is there",
            trigger: ".o_list_view, .o_view_nocontent",
        },
    ],
});
