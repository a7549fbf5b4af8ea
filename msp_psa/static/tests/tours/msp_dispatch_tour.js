/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// A dispatcher opens the dispatch board: one column per technician with the
// time they have left, and assigns an unassigned ticket to the best fit.
registry.category("web_tour.tours").add("msp_psa_dispatch_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the MSP app",
            trigger: '.o_app[data-menu-xmlid="msp_psa.msp_psa_menu_root"]',
            run: "click",
        },
        {
            content: "Open the dispatch board",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_psa.msp_dispatch_board_menu"]',
            run: "click",
        },
        {
            // "… · 7 h today, 120 h week", or "… · 17 min today, …" late in
            // the day (UTC): the unit depends on the time the tour runs.
            content: "Technicians' columns show the time they have left",
            trigger: ".o_kanban_group .o_column_title:contains(Tour Tech):contains( today, ):contains( week)",
        },
        {
            content: "Unassigned tickets come first, under their own name (open their column if folded)",
            trigger: ".o_kanban_renderer .o_kanban_group:first-child:contains(Unassigned)",
            run() {
                if (this.anchor.classList.contains("o_column_folded")) {
                    this.anchor.click();
                }
            },
        },
        {
            content: "The unassigned ticket has an Assign Best button",
            trigger: ".o_kanban_record:contains(Tour switch down) .o_msp_assign_best",
            run: "click",
        },
        {
            content: "The ticket moved to the technician's column",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Tour Tech)) .o_kanban_record:contains(Tour switch down)",
        },
    ],
});
