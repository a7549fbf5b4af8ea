/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {waitUntil} from "@odoo/hoot-dom";

// Contoso's managing partner opens the change order waiting for her
// signature from her agreement's page, accepts it and signs with her name.
registry.category("web_tour.tours").add("msp_change_order_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the agreements from the portal home",
            trigger: 'a[href="/my/agreements"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open Contoso's agreement",
            trigger: "tr:contains(Prepaid Support Hours) a.o_msp_agreement_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The proposal waits for a signature",
            trigger: "#msp_changes_open tr.o_msp_change_open:contains(Per-User Support) a.o_msp_change_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page shows the price impact",
            trigger: "#msp_change_impact .o_msp_change_mrr_after",
        },
        {
            content: "Accept and sign",
            trigger: "a.o_msp_change_sign",
            run: "click",
        },
        {
            content: "Her name is filled in",
            trigger: ".modal .o_web_sign_name_and_signature input:value(Margaret Chen)",
        },
        {
            content: "The signature is drawn from her name",
            trigger: ".modal canvas.o_web_sign_signature",
            async run(helpers) {
                await waitUntil(() => {
                    const canvas = helpers.anchor;
                    const context = canvas.getContext("2d");
                    const data = context.getImageData(0, 0, canvas.width, canvas.height);
                    return new Uint32Array(data.data.buffer).some((pixel) => pixel !== 0);
                });
            },
        },
        {
            content: "Send the signature",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The change is accepted and the signature shown",
            trigger: ".o_msp_change_signed",
        },
        {
            trigger: ".o_msp_change_signature:contains(Margaret Chen)",
        },
    ],
});
