# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import date, datetime

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

# What Odoo shows when a model has no display name of its own.
TECHNICAL_NAME = re.compile(r"^[a-z_.]+,\d+$")

# msp models that may have no record to check here, with the reason. Empty on
# purpose: a new model gets a display name and a record in this test.
NO_RECORD_NEEDED = {}


@tagged("post_install", "-at_install")
class TestDisplayNames(TransactionCase):
    """Every record a person sees is named in words, never `model.name,id`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="Europe/Brussels"))

    def setUp(self):
        super().setUp()
        if not self.env.ref("msp_psa.agreement_acme_demo", raise_if_not_found=False):
            self.skipTest("demo data not installed")

    def _make_records(self):
        """Records of the models the demo leaves empty: a billing run with an
        issue, an invoice preview, a deferred revenue check."""
        agreements = self.env["msp.agreement"].search([("state", "=", "active")])
        run = self.env["msp.billing.run"]._run_agreements(agreements)
        self.env["msp.billing.run.issue"].create(
            {
                "run_id": run.id,
                "agreement_id": agreements[0].id,
                "level": "warning",
                "message": "Look at it",
            }
        )
        worker = self.env["msp.billing.run.worker"].create(
            {"run_id": run.id, "worker": 2, "batch_count": 1}
        )
        self.assertEqual(worker.display_name, f"{run.name}: worker 2")
        contoso = self.env.ref("msp_psa.agreement_contoso_demo")
        contoso.action_preview_invoice()
        # A price change dated ahead (the demo logs the initial prices).
        contoso.set_fee(contoso.fixed_fee + 10, date="2031-01-01", note="Escalation")
        report = self.env["msp.revenue.report"].create(
            {"date": fields.Date.context_today(self.env.user)}
        )
        report._compute_report()
        month = self.env["msp.revenue.schedule.line"].search(
            [("state", "=", "planned")], limit=1
        )
        journal = self.env["account.journal"].search(
            [("company_id", "=", month.company_id.id), ("type", "=", "general")],
            limit=1,
        )
        issue = self.env["msp.revenue.recognition.issue"]._log_failure(
            (month.company_id, journal, date(2026, 11, 30), "recognition"),
            month,
            UserError("Period locked"),
        )
        self.assertEqual(
            issue.display_name,
            f"Recognition of Nov 2026 not posted ({journal.name})",
        )
        self.assertEqual(issue.schedule_count, 1)
        mailbox = self.env.ref("msp_psa.ticket_dispatch_acme_mailbox_demo")
        self.env["msp.dispatch.suggestion"]._create_for(mailbox)[0].action_assign()
        # price escalation: the demo's Acme notice (audit row and its lines),
        # a dry run with its lines; the demo holds the index and its values
        acme = self.env.ref("msp_psa.agreement_acme_demo")
        self.env["msp.agreement"]._cron_apply_escalations(agreement_ids=acme.ids)
        escalation = acme.escalation_ids
        self.assertEqual(
            escalation.display_name,
            f"{acme.name}, {escalation.anniversary.day} "
            f"{escalation.anniversary:%b %Y}: +3.01 %",
        )
        self.assertEqual(
            escalation.line_ids[:1].display_name,
            f"{acme.name}, Monthly Fixed Fee: 450.00 → 463.52",
        )
        preview = self.env["msp.escalation.preview"].create(
            {"date_to": escalation.anniversary}
        )
        preview.action_preview()
        self.assertIn(
            f"{acme.name} on {escalation.anniversary.day}",
            preview.line_ids.mapped("display_name")[0],
        )
        leak = self.env.ref("msp_psa.ticket_harbor_wifi_timesheet_1_demo")
        wizard = self.env["msp.leakage.wizard"].create(
            {"action": "non_billable", "line_ids": [fields.Command.set(leak.ids)]}
        )
        self.assertEqual(
            wizard.display_name, f"Mark Non-billable: {leak.unit_amount:g} h of time"
        )
        # Profitability: the monthly table, a cost rate change, a check.
        self.env["msp.profitability.report"]._msp_refresh()
        tech = self.env["hr.employee"].search([], limit=1)
        self.env["msp.cost.rate.wizard"].create(
            {"employee_id": tech.id, "date_from": date(2026, 1, 1), "hourly_cost": 30}
        )
        self.env["msp.profitability.check"].create(
            {"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}
        ).action_check()
        # the demo's growth signal on Acme's seats and Bluebird's renewal reminder
        acme = self.env.ref("msp_psa.agreement_acme_demo")
        growth = self.env["msp.usage.signal"].search(
            [("agreement_id", "=", acme.id), ("kind", "=", "growth")]
        )
        self.assertEqual(growth.display_name, f"Growth: {acme.display_name}")
        dismiss = self.env["msp.usage.signal.dismiss"].create(
            {"signal_ids": [fields.Command.set(growth.ids)], "reason": "Known"}
        )
        self.assertEqual(dismiss.display_name, f"Dismiss Growth: {acme.display_name}")
        bluebird = self.env.ref("msp_psa.agreement_bluebird_demo")
        self.assertEqual(
            bluebird.renewal_step_ids[:1].display_name,
            f"{bluebird.display_name}: 30-day reminder of the term ending "
            f"{bluebird.date_end.strftime('%m/%d/%Y')}",
        )

    def test_no_technical_names(self):
        self._make_records()
        missing, wrong = [], []
        for name in sorted(self.env.registry):
            model = self.env[name]
            if not name.startswith("msp.") or model._abstract:
                continue
            records = model.sudo().with_context(active_test=False).search([])
            if not records:
                if name not in NO_RECORD_NEEDED:
                    missing.append(name)
                continue
            for record in records:
                label = record.display_name
                if not label or TECHNICAL_NAME.match(label):
                    wrong.append(f"{name} {record.id}: {label!r}")
        self.assertFalse(
            missing, "msp models without a record to check (add one, or a reason)"
        )
        self.assertFalse(wrong, "records without a display name in words")

    def test_sla_labels(self):
        policy = self.env["msp.sla.policy"].create({"name": "Gold SLA"})
        notify = self.env["msp.sla.escalation"].create(
            {"policy_id": policy.id, "target": "resolution", "percent": 75}
        )
        self.assertEqual(notify.display_name, "Notify at 75 % of the resolution target")
        admin = self.env.ref("base.user_admin")
        reassign = self.env["msp.sla.escalation"].create(
            {
                "policy_id": policy.id,
                "target": "response",
                "percent": 50,
                "notify": False,
                "reassign_user_id": admin.id,
                "activity": True,
                "min_priority": "2",
            }
        )
        self.assertEqual(
            reassign.display_name,
            f"Reassign to {admin.name}, schedule an activity at 50 % of the "
            "response target (High priority and above)",
        )
        line = self.env["msp.sla.policy.line"].create(
            {"policy_id": policy.id, "priority": "3", "resolution_hours": 4}
        )
        self.assertEqual(line.display_name, "Gold SLA: Very High priority")

        ticket = self.env.ref("msp_psa.ticket_contoso_printer_demo")
        pause = self.env["msp.sla.pause"].create(
            {
                "ticket_id": ticket.id,
                "date_start": datetime(2026, 12, 2, 7, 0),
                "date_end": datetime(2026, 12, 2, 8, 30),
                "reason": "Awaiting",
            }
        )
        # In the reader's time zone (Brussels: UTC+1 in December).
        self.assertEqual(
            pause.display_name,
            f"{ticket.number}: paused 2 Dec 2026 08:00 – 09:30 (Awaiting)",
        )
        pause.date_end = False
        self.assertEqual(
            pause.display_name,
            f"{ticket.number}: paused since 2 Dec 2026 08:00 (Awaiting)",
        )
        step = self.env["msp.sla.ticket.escalation"].create(
            {"ticket_id": ticket.id, "escalation_id": notify.id}
        )
        self.assertEqual(
            step.display_name,
            f"{ticket.number}: Notify at 75 % of the resolution target",
        )

    def test_agreement_labels(self):
        agreement = self.env.ref("msp_psa.agreement_acme_demo")
        addition = agreement.addition_ids[0]
        # The description's first line, not the product's whole sales text.
        self.assertEqual(addition.display_name, addition.product_id.display_name)
        entry = self.env["msp.agreement.addition.quantity"].create(
            {
                "addition_id": addition.id,
                "date": date(2027, 1, 17),
                "quantity_old": 3,
                "quantity_new": 5.5,
                "source": "manual",
            }
        )
        self.assertEqual(
            entry.display_name,
            f"{agreement.name}, {addition.product_id.display_name}: 3 → 5.5 "
            "from 17 Jan 2027",
        )
        period = self.env["msp.agreement.period"].create(
            {
                "agreement_id": agreement.id,
                "date_start": date(2031, 1, 1),
                "date_end": date(2031, 1, 31),
                "invoice_date": date(2031, 1, 1),
            }
        )
        self.assertEqual(period.display_name, f"{agreement.name}, 1–31 Jan 2031")
        rate = self.env["msp.agreement.rate"].create(
            {"agreement_id": agreement.id, "price_unit": 90.0}
        )
        self.assertEqual(rate.display_name, f"{agreement.name}: default rate")
        rate.work_type_id = self.env["msp.work.type"].create(
            {"name": "Night Shift Support"}
        )
        self.assertEqual(rate.display_name, f"{agreement.name}: Night Shift Support")

        run = self.env["msp.billing.run"]._run_agreements(agreement)
        issue = self.env["msp.billing.run.issue"].create(
            {
                "run_id": run.id,
                "agreement_id": agreement.id,
                "level": "error",
                "message": "No fee product",
            }
        )
        self.assertEqual(issue.display_name, f"{run.name}: {agreement.name} (Failed)")

        preview = self.env["msp.billing.preview"].browse(
            agreement.action_preview_invoice()["res_id"]
        )
        self.assertEqual(
            preview.display_name, f"Next invoice of {agreement.display_name}"
        )

    def test_revenue_labels(self):
        report = self.env["msp.revenue.report"].create({"date": date(2026, 11, 30)})
        self.assertEqual(report.display_name, "Deferred revenue check at 30 Nov 2026")
        schedule = self.env["msp.revenue.schedule"].search([], limit=1)
        line = schedule.line_ids.filtered(lambda m: m.kind == "recognition")[:1]
        self.assertTrue(line, "the demo has recognition months")
        self.assertEqual(
            line.display_name,
            f"{schedule.name}, {fields.Date.to_date(line.date):%b %Y}",
        )
        report.date = fields.Date.context_today(self.env.user)
        report._compute_report()
        balance = report.line_ids.filtered(lambda m: m.schedule_id)[:1]
        self.assertTrue(balance, "the demo defers revenue today")
        self.assertEqual(
            balance.display_name,
            f"{balance.schedule_id.name}: Not yet recognised",
        )
