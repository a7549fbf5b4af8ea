/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// A service manager checks the leakage queue, opens a ticket no agreement
// covers and reads its SLA clock, then the SLA compliance report.
registry.category("web_tour.tours").add("msp_psa_sla_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the MSP app",
            trigger: '.o_app[data-menu-xmlid="msp_psa.msp_psa_menu_root"]',
            run: "click",
        },
        {
            content: "Open Billing",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_psa.msp_psa_menu_billing"]',
            run: "click",
        },
        {
            content: "Open the time to review",
            trigger: '.dropdown-item[data-menu-xmlid="msp_psa.msp_leakage_time_menu"]',
            run: "click",
        },
        {
            content: "The leaking line is listed, with its reason",
            trigger: ".o_list_view .o_data_row:contains(No agreement covers the ticket)",
        },
        {
            content: "Open the tickets without agreement",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_psa.helpdesk_ticket_unmapped_menu"]',
            run: "click",
        },
        {
            content: "The ticket shows a breached SLA",
            trigger: ".o_data_row:contains(Tour firewall down) .badge:contains(Breached)",
        },
        {
            trigger: ".o_data_row:contains(Tour firewall down) td[name=name]",
            run: "click",
        },
        {
            content: "Open the SLA tab",
            trigger: ".o_form_view .o_notebook a[name=msp_sla]",
            run: "click",
        },
        {
            content: "The response target is breached",
            trigger: ".o_form_view .o_field_widget[name=msp_response_status]:contains(Breached)",
        },
        {
            content: "Go to the SLA compliance report",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_psa.msp_psa_menu_reporting"]',
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="msp_psa.msp_sla_report_menu"]',
            run: "click",
        },
        {
            content: "The pivot is there",
            trigger: ".o_pivot",
        },
    ],
});
