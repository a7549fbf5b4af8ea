# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class MspPsaCommon(AccountTestInvoicingCommon):
    """A company with its chart of accounts, a client and its contacts, MSP
    products and users."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "msp_psa.group_msp_psa_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Agreement = cls.env["msp.agreement"]
        cls.Addition = cls.env["msp.agreement.addition"]
        cls.Item = cls.env["msp.managed.item"]
        cls.journal = cls.company_data["default_journal_sale"]
        cls.client = cls.env["res.partner"].create(
            {"name": "Acme Dental", "is_company": True, "email": "it@acme.test"}
        )
        cls.client_contact = cls.env["res.partner"].create(
            {"name": "Ana Acme", "parent_id": cls.client.id, "email": "ana@acme.test"}
        )
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Northwind", "is_company": True}
        )
        cls.other_contact = cls.env["res.partner"].create(
            {"name": "Nina Northwind", "parent_id": cls.other_client.id}
        )
        cls.product_fee = cls._create_product(
            name="Managed Services Fee", type="service", lst_price=500.0
        )
        cls.product_seat = cls._create_product(
            name="Per-User Support", type="service", lst_price=25.0, standard_price=18.0
        )
        cls.product_device = cls._create_product(
            name="Per-Device Monitoring", type="service", lst_price=12.5
        )
        cls.product_setup = cls._create_product(
            name="Firewall Setup", type="service", lst_price=300.0
        )
        cls.kind_ws = cls.env.ref("msp_psa.kind_workstation")
        cls.kind_server = cls.env.ref("msp_psa.kind_server")
        cls.kind_user = cls.env.ref("msp_psa.kind_user")
        cls.msp_user = new_test_user(
            cls.env,
            login="msp_user",
            groups="msp_psa.group_msp_psa_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.msp_manager = new_test_user(
            cls.env,
            login="msp_manager",
            groups="msp_psa.group_msp_psa_manager",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    @classmethod
    def _create_agreement(cls, **vals):
        return cls.env["msp.agreement"].create(
            {
                "title": "Managed IT",
                "partner_id": cls.client.id,
                "date_start": fields.Date.to_date("2026-01-01"),
                "journal_id": cls.journal.id,
                **vals,
            }
        )

    @classmethod
    def _create_addition(cls, agreement, product=None, **vals):
        return cls.env["msp.agreement.addition"].create(
            {
                "agreement_id": agreement.id,
                "product_id": (product or cls.product_seat).id,
                **vals,
            }
        )

    @classmethod
    def _create_items(cls, count, kind=None, partner=None, **vals):
        kind = kind or cls.kind_ws
        return cls.env["msp.managed.item"].create(
            [
                {
                    "name": f"{kind.code}-{i}",
                    "partner_id": (partner or cls.client).id,
                    "kind_id": kind.id,
                    "active_from": "2026-01-01",
                    **vals,
                }
                for i in range(count)
            ]
        )

    @contextmanager
    def assertRaisesMsg(self, exception, regex):
        """assertRaises (which rolls back to a savepoint, as a failed request would)
        plus a check of the message the user reads."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertRegex(str(cm.exception), regex)

    def _history(self, addition):
        """The addition's log as (date, old, new, source) in order of effect."""
        return [
            (str(e.date), e.quantity_old, e.quantity_new, e.source)
            for e in addition.quantity_history_ids.sorted(lambda e: (e.date, e.id))
        ]


class MspHelpdeskCommon(MspPsaCommon):
    """MspPsaCommon with a helpdesk manager as the test user."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "helpdesk_mgmt.group_helpdesk_manager"
        )


def make_technician(env, name, user, calendar, tz="Europe/Brussels"):
    return env["hr.employee"].create(
        {
            "name": name,
            "user_id": user.id if user else False,
            "resource_calendar_id": calendar.id if calendar else False,
            "tz": tz,
            "msp_technician": True,
        }
    )


def make_38h_calendar(env, tz="Europe/Brussels"):
    """Monday to Friday 8:00–12:00 and 13:00–16:36: 7.6 h a day, 38 h a week."""
    attendances = []
    for day in range(5):
        attendances += [
            Command.create(
                {
                    "name": f"{day} am",
                    "dayofweek": str(day),
                    "hour_from": 8,
                    "hour_to": 12,
                    "day_period": "morning",
                }
            ),
            Command.create(
                {
                    "name": f"{day} pm",
                    "dayofweek": str(day),
                    "hour_from": 13,
                    "hour_to": 16.6,
                    "day_period": "afternoon",
                }
            ),
        ]
    return env["resource.calendar"].create(
        {
            "name": "38 hours",
            "tz": tz,
            "attendance_ids": [Command.clear(), *attendances],
        }
    )


def approve_leave(env, employee, day_from, day_to):
    leave_type = env["hr.leave.type"].create(
        {
            "name": "Holiday",
            "requires_allocation": "no",
            "leave_validation_type": "no_validation",
        }
    )
    leave = (
        env["hr.leave"]
        .with_context(leave_skip_state_check=True)
        .create(
            {
                "holiday_status_id": leave_type.id,
                "employee_id": employee.id,
                "request_date_from": day_from,
                "request_date_to": day_to,
            }
        )
    )
    if leave.state != "validate":
        leave.action_validate(check_state=False)
    return leave


class MspTechnicianCommon(MspPsaCommon):
    """MspPsaCommon with a test user who manages the helpdesk, employees and
    their leave: the set-up of technicians, capacity and dispatch."""

    @classmethod
    def get_default_groups(cls):
        return (
            super().get_default_groups()
            | cls.env.ref("helpdesk_mgmt.group_helpdesk_manager")
            | cls.env.ref("hr.group_hr_manager")
            | cls.env.ref("hr_holidays.group_hr_holidays_manager")
        )
