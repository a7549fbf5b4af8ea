/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";

// A client's contact opens the portal, finds its agreement, checks its
// services and asks for three more users.
registry.category("web_tour.tours").add("msp_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the agreements from the portal home",
            trigger: 'a[href="/my/agreements"]',
            run: "click",
        },
        {
            content: "Open the client's agreement",
            trigger: "tr:contains(Tour Portal IT) a.o_msp_agreement_link",
            run: "click",
        },
        {
            content: "The page shows the services and their quantities",
            trigger: "#msp_agreement_additions tr.o_msp_addition:contains(Tour seat)",
        },
        {
            content: "Describe the change",
            trigger: "#msp_agreement_change_request textarea[name=description]",
            run: "edit Add 3 users for the new branch",
        },
        {
            content: "Choose the service",
            trigger: "#msp_agreement_change_request select[name=addition_id]",
            run: "selectByLabel Tour seat",
        },
        {
            content: "Ask for 15",
            trigger: "#msp_agreement_change_request input[name=quantity]",
            run: "edit 15",
        },
        {
            content: "Send the request",
            trigger: "#msp_agreement_change_request button[type=submit]",
            run: "click",
        },
        {
            content: "The request was sent, and the confirmation is in view",
            trigger: "#change_request .o_msp_change_request_sent",
            run() {
                const box = this.anchor.getBoundingClientRect();
                if (box.bottom < 0 || box.top > window.innerHeight) {
                    throw new Error("The confirmation is out of view");
                }
            },
        },
        {
            content: "Follow the ticket",
            trigger: ".o_msp_change_request_sent a.o_msp_change_request_ticket",
            run: "click",
        },
        {
            content: "The ticket's portal page opens",
            trigger: "#helpdesk_ticket_content:contains(Change request)",
        },
    ],
});
