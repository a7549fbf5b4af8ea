/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// The MSP app opens on its overview; a tile opens the list behind it.
registry.category("web_tour.tours").add("msp_psa_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the MSP app",
            trigger: '.o_app[data-menu-xmlid="msp_psa.msp_psa_menu_root"]',
            run: "click",
        },
        {
            content: "The MRR tile shows this month's MRR and its trend",
            trigger: ".o_msp_dashboard .o_msp_tile[data-tile=mrr] .o_msp_trend rect",
        },
        {
            content: "The tickets tile counts the breached tickets",
            trigger: ".o_msp_tile[data-tile=tickets] .o_msp_tile_item[data-item=Breached] .o_msp_tile_value",
        },
        {
            content: "The leakage tile is there",
            trigger: ".o_msp_tile[data-tile=leakage]",
        },
        {
            content: "Open the breached tickets",
            trigger: ".o_msp_tile[data-tile=tickets] .o_msp_tile_item[data-item=Breached]",
            run: "click",
        },
        {
            content: "The list shows the breached ticket",
            trigger: ".o_list_view .o_data_row:contains(Dashboard tour server down)",
        },
    ],
});
