/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {RelationalModel} from "@web/model/relational_model/relational_model";
import {patch} from "@web/core/utils/patch";

// Odoo folds the "None" column of a view grouped by a many2one. On the
// dispatch board that column holds the unassigned tickets, which come first:
// open it on the first load (a dispatcher may still fold it afterwards).
patch(RelationalModel.prototype, {
    async _loadGroupedList(config) {
        const result = await super._loadGroupedList(...arguments);
        if (config.context && config.context.msp_dispatch_board && !config.mspUnsetOpened) {
            config.mspUnsetOpened = true;
            const unset = Object.values(config.groups || {}).find(
                (group) => !group.value && group.isFolded
            );
            if (unset) {
                unset.isFolded = false;
                return super._loadGroupedList(...arguments);
            }
        }
        return result;
    },
});
