/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {KanbanHeader} from "@web/views/kanban/kanban_header";
import {RelationalModel} from "@web/model/relational_model/relational_model";
import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";

// Odoo folds the "None" column of a view grouped by a many2one. On the
// dispatch board that column holds the unassigned tickets, which come first:
// open it on the first load (a dispatcher may still fold it afterwards), and
// call it what it is: Unassigned, not None.
patch(RelationalModel.prototype, {
    async _loadGroupedList(config) {
        const result = await super._loadGroupedList(...arguments);
        if (!config.context || !config.context.msp_dispatch_board) {
            return result;
        }
        if (!config.mspUnsetOpened) {
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

patch(KanbanHeader.prototype, {
    _getEmptyGroupLabel(fieldName) {
        if (fieldName === "user_id" && this.props.list.context.msp_dispatch_board) {
            return _t("Unassigned");
        }
        return super._getEmptyGroupLabel(...arguments);
    },
});
