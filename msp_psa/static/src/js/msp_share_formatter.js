/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {formatFloat} from "@web/views/fields/formatters";
import {registry} from "@web/core/registry";

// A share of nothing (an SLA met % where no target is decided) reads "—", not 0.
export function formatMspShare(value, options = {}) {
    if (value === null || value === undefined || value === false) {
        return "—";
    }
    return formatFloat(value, options);
}

registry.category("formatters").add("msp_share", formatMspShare);
