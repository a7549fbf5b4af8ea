/** @odoo-module **/
// Copyright 2026 msp_psa authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {Component, onWillStart, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

// The MSP app's home: one call (msp.dashboard.get_dashboard_data) for every
// tile; a figure opens the list it was counted on.
export class MspTrendChart extends Component {
    static template = "msp_psa.TrendChart";
    static props = {points: Array};

    get bars() {
        const points = this.props.points;
        const max = Math.max(...points.map((p) => p.value), 0) || 1;
        const width = 100 / points.length;
        return points.map((point, index) => {
            const height = Math.max((point.value / max) * 80, point.value ? 2 : 0);
            return {
                ...point,
                x: index * width + width * 0.15,
                width: width * 0.7,
                y: 85 - height,
                height,
                labelX: index * width + width / 2,
                last: index === points.length - 1,
            };
        });
    }
}

export class MspDashboard extends Component {
    static template = "msp_psa.Dashboard";
    static components = {MspTrendChart};
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({data: null});
        onWillStart(async () => {
            this.state.data = await this.orm.call(
                "msp.dashboard",
                "get_dashboard_data",
                []
            );
        });
    }

    open(item) {
        if (item.action) {
            this.action.doAction(item.action);
        }
    }
}

registry.category("actions").add("msp_psa.dashboard", MspDashboard);
