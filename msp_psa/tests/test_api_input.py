# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import html
import math
import re
import xmlrpc.client
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config

# Odoo's XML-RPC fault code of a UserError (ValidationError included); any
# other exception is answered with code 1 and its traceback.
RPC_FAULT_CODE_WARNING = 2


@tagged("post_install", "-at_install")
class TestApiInput(HttpCase):
    """Malformed payloads sent over real XML-RPC to the sync API and the
    wizards: each is refused as a user error naming the bad value (and the
    item's external_ref), and nothing is written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.env = env
        cls.api_user = new_test_user(
            env,
            login="msp_api_input",
            password="msp_api_input_pw",
            groups="msp_psa.group_msp_psa_user,account.group_account_invoice",
        )
        cls.client = env["res.partner"].create(
            {"name": "Api Input Dental", "is_company": True}
        )
        cls.contact = env["res.partner"].create(
            {"name": "Ian Input", "parent_id": cls.client.id}
        )
        cls.other_client = env["res.partner"].create(
            {"name": "Api Other Inc", "is_company": True}
        )
        cls.seat = env["product.product"].create(
            {"name": "Api Seat", "type": "service", "list_price": 25.0}
        )
        cls.agreement = env["msp.agreement"].create(
            {
                "title": "Api Input IT",
                "partner_id": cls.client.id,
                "date_start": date.today().replace(day=1) - timedelta(days=60),
                "addition_ids": [
                    Command.create({"product_id": cls.seat.id, "quantity": 10}),
                    Command.create(
                        {
                            "product_id": cls.seat.id,
                            "quantity_source": "counted",
                            "kind_id": env.ref("msp_psa.kind_user").id,
                        }
                    ),
                ],
            }
        )
        cls.manual, cls.counted = cls.agreement.addition_ids
        Item = env["msp.managed.item"]
        cls.items = Item.create(
            [
                {
                    "name": f"user{n}@api-input.example",
                    "external_ref": f"u-{n}",
                    "partner_id": cls.client.id,
                    "kind_id": env.ref("msp_psa.kind_user").id,
                    "source": "m365",
                    "active_from": "2026-01-01",
                }
                for n in (1, 2)
            ]
        )
        Item.create(
            {
                "name": "shared@api-other.example",
                "external_ref": "shared-1",
                "partner_id": cls.other_client.id,
                "kind_id": env.ref("msp_psa.kind_user").id,
                "source": "m365",
                "active_from": "2026-01-01",
            }
        )
        cls.other_company = env["res.company"].create({"name": "Api Other MSP"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _call(self, model, method, args, kwargs=None, endpoint="/xmlrpc/2/object"):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}{endpoint}", allow_none=True
        )
        return proxy.execute_kw(
            self.env.cr.dbname,
            self.api_user.id,
            "msp_api_input_pw",
            model,
            method,
            args,
            kwargs or {},
        )

    def _written(self):
        """What a refused call must leave as it was."""
        Item = self.env["msp.managed.item"].with_context(active_test=False)
        Log = self.env["msp.agreement.addition.quantity"]
        self.env.invalidate_all()
        return {
            "items": Item.search_count([]),
            "in_service": sorted(
                Item.search(
                    [
                        ("partner_id", "in", (self.client | self.other_client).ids),
                        ("active_to", "=", False),
                    ]
                ).mapped("external_ref")
            ),
            "quantity_log": Log.search_count([]),
            "quantities": self.agreement.addition_ids.mapped("quantity"),
            "notes": Log.search([]).mapped("note"),
        }

    def assertRefused(self, model, method, args, kwargs, message):
        """The call is answered with a user error whose message is ``message``
        (names the value), not a traceback."""
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            self._call(model, method, args, kwargs)
        fault = cm.exception
        self.assertEqual(fault.faultCode, RPC_FAULT_CODE_WARNING, fault.faultString)
        self.assertNotIn("Traceback", fault.faultString)
        self.assertEqual(fault.faultString, message)

    # ------------------------------------------------------------------
    # sync_items
    # ------------------------------------------------------------------
    def test_sync_items_malformed_payloads(self):
        client_id = self.client.id
        item = {"external_ref": "u-9", "name": "new@api-input.example"}
        long_name = "n" * 300
        table = [
            # (what is wrong, args, kwargs, message)
            (
                "client id NaN",
                [math.nan, "user", [item]],
                {},
                "client id: nan is not a record id.",
            ),
            (
                "client id as a word",
                ["twelve", "user", [item]],
                {},
                'client id: "twelve" is not a record id.',
            ),
            (
                "client id None",
                [None, "user", [item]],
                {},
                "client id: None is not a record id.",
            ),
            (
                "a contact, not a client",
                [self.contact.id, "user", [item]],
                {},
                (
                    "Managed items belong to a client company, not to the contact "
                    f"Api Input Dental, Ian Input (id {self.contact.id})."
                ),
            ),
            (
                "kind code None",
                [client_id, None, [item]],
                {},
                "managed item kind code: None is not text.",
            ),
            (
                "a dict instead of a list",
                [client_id, "user", item],
                {},
                (
                    "synced items: {'external_ref': 'u-9', 'name': 'new@api… is not a "
                    "list of records."
                ),
            ),
            (
                "None instead of a list",
                [client_id, "user", None],
                {},
                "synced items: None is not a list of records.",
            ),
            (
                "a list of strings",
                [client_id, "user", ["u-1", "u-2"]],
                {},
                'synced items, entry 1: "u-1" is not a record (a dict).',
            ),
            (
                "an item without external_ref",
                [client_id, "user", [item, {"name": "nobody@api-input.example"}]],
                {},
                "synced item 2, external_ref is missing.",
            ),
            (
                "an empty external_ref",
                [client_id, "user", [{"external_ref": "  "}]],
                {},
                "synced item 1, external_ref is empty.",
            ),
            (
                "duplicate external_refs",
                [client_id, "user", [item, {"external_ref": "u-1"}, item]],
                {},
                'synced external_ref: "u-9" given twice.',
            ),
            (
                "an unknown key",
                [client_id, "user", [{**item, "activefrom": "2026-01-01"}]],
                {},
                (
                    "synced items, entry 1: unknown key activefrom (known: "
                    "external_ref, name, serial_number, active_from)."
                ),
            ),
            (
                "a name that is a number",
                [client_id, "user", [{"external_ref": "u-9", "name": 12}]],
                {},
                "item u-9, name: 12 is not text.",
            ),
            (
                "an over-long name",
                [client_id, "user", [{"external_ref": "u-9", "name": long_name}]],
                {},
                (
                    f'item u-9, name: "{"n" * 40}…" is too long (300 characters, at '
                    "most 256)."
                ),
            ),
            (
                "an unreadable active_from",
                [client_id, "user", [{**item, "active_from": "2026-13-45"}]],
                {},
                'item u-9, active_from: "2026-13-45" is not a date (YYYY-MM-DD).',
            ),
            (
                "active_from yesterday",
                [client_id, "user", [{**item, "active_from": "yesterday"}]],
                {},
                'item u-9, active_from: "yesterday" is not a date (YYYY-MM-DD).',
            ),
            (
                "active_from a number",
                [client_id, "user", [{**item, "active_from": 20260101}]],
                {},
                "item u-9, active_from: 20260101 is not a date (YYYY-MM-DD).",
            ),
            (
                "an unreadable sync date",
                [client_id, "user", [item]],
                {"date": "2026-13-45"},
                'sync date: "2026-13-45" is not a date (YYYY-MM-DD).',
            ),
            (
                "sync date yesterday",
                [client_id, "user", [item]],
                {"date": "yesterday"},
                'sync date: "yesterday" is not a date (YYYY-MM-DD).',
            ),
            (
                "an unknown source",
                [client_id, "user", [item]],
                {"source": "fax"},
                'sync source: "fax" is not one of manual, rmm, m365, api.',
            ),
            (
                "a source that is a list",
                [client_id, "user", [item]],
                {"source": ["m365"]},
                "sync source: ['m365'] is not one of manual, rmm, m365, api.",
            ),
            (
                "a ref in service at another client",
                [client_id, "user", [{"external_ref": "shared-1"}]],
                {"source": "m365"},
                (
                    "Item shared-1 is in service as shared@api-other.example "
                    "(Supported User) of Api Other Inc: end it there before syncing "
                    "it here."
                ),
            ),
        ]
        before = self._written()
        self.assertEqual(before["in_service"], ["shared-1", "u-1", "u-2"])
        for what, args, kwargs, message in table:
            with self.subTest(what):
                self.assertRefused(
                    "msp.managed.item", "sync_items", args, kwargs, message
                )
                self.assertEqual(self._written(), before)

    def test_checked_before_anything_is_written(self):
        """The bad value comes last in the payload, after valid items and with
        an item to end: the refusal comes before any write, not from a
        rollback."""
        Item = self.env["msp.managed.item"]
        Addition = self.env["msp.agreement.addition"]
        Log = self.env["msp.agreement.addition.quantity"]
        written = AssertionError("written before the input was checked")
        with (
            patch.object(type(Item), "create", side_effect=written),
            patch.object(type(Item), "write", side_effect=written),
            patch.object(type(Addition), "write", side_effect=written),
            patch.object(type(Log), "create", side_effect=written),
        ):
            with self.assertRaisesRegex(ValidationError, "item u-4, active_from"):
                Item.sync_items(
                    self.client.id,
                    "user",
                    [
                        {"external_ref": "u-1", "name": "renamed@api-input.example"},
                        {"external_ref": "u-3"},
                        {"external_ref": "u-4", "active_from": "2026-02-30"},
                    ],
                    source="m365",
                )
            with self.assertRaisesRegex(ValidationError, '"twelve" is not a number'):
                self.manual.set_quantity("twelve")
            with self.assertRaisesRegex(ValidationError, "is in the future"):
                # Tomorrow in the user's timezone, as the API reads today.
                tomorrow = fields.Date.context_today(self.manual) + timedelta(days=1)
                self.manual.set_quantity(3, date=tomorrow)

    def test_sync_items_valid_payload_still_syncs(self):
        """Valid input as before, ints for external refs and an empty name
        included."""
        result = self._call(
            "msp.managed.item",
            "sync_items",
            [
                self.client.id,
                "user",
                [
                    {"external_ref": "u-1", "name": ""},
                    {"external_ref": 9001, "active_from": "2026-02-01"},
                ],
            ],
            {"date": "2026-03-01", "source": "m365"},
        )
        self.assertEqual(result, {"created": 1, "updated": 0, "ended": 1})
        Item = self.env["msp.managed.item"]
        self.env.invalidate_all()
        new = Item.search([("external_ref", "=", "9001")])
        self.assertEqual((new.name, str(new.active_from)), ("9001", "2026-02-01"))
        self.assertEqual(self.items[0].name, "user1@api-input.example")
        self.assertEqual(str(self.items[1].active_to), "2026-02-28")

    # ------------------------------------------------------------------
    # set_quantity
    # ------------------------------------------------------------------
    def test_set_quantity_malformed_payloads(self):
        label = f"Api Seat on {self.agreement.display_name}"
        future = (date.today() + timedelta(days=30)).isoformat()
        table = [
            (
                "NaN",
                [math.nan],
                {},
                f"quantity of {label}: nan is not a finite number.",
            ),
            (
                "infinity",
                [math.inf],
                {},
                f"quantity of {label}: inf is not a finite number.",
            ),
            (
                "'inf'",
                ["inf"],
                {},
                f'quantity of {label}: "inf" is not a finite number.',
            ),
            (
                "'1e400'",
                ["1e400"],
                {},
                f'quantity of {label}: "1e400" is not a finite number.',
            ),
            (
                "a word",
                ["twelve"],
                {},
                f'quantity of {label}: "twelve" is not a number.',
            ),
            ("None", [None], {}, f"quantity of {label}: None is not a number."),
            ("a boolean", [True], {}, f"quantity of {label}: True is not a number."),
            ("a list", [[12]], {}, f"quantity of {label}: [12] is not a number."),
            ("negative", [-3], {}, f"quantity of {label}: -3 is less than 0."),
            (
                "an unreadable date",
                [14],
                {"date": "2026-13-45"},
                (
                    f'date of the quantity of {label}: "2026-13-45" is not a date '
                    "(YYYY-MM-DD)."
                ),
            ),
            (
                "date yesterday",
                [14],
                {"date": "yesterday"},
                (
                    f'date of the quantity of {label}: "yesterday" is not a date '
                    "(YYYY-MM-DD)."
                ),
            ),
            (
                "a date in the future",
                [14],
                {"date": future},
                (
                    f'date of the quantity of {label}: "{future}" is in the future '
                    f"(today is {date.today()})."
                ),
            ),
            (
                "an over-long note",
                [14],
                {"note": "x" * 1001},
                (
                    f'note on the quantity of {label}: "{"x" * 40}…" is too long (1001 '
                    "characters, at most 1000)."
                ),
            ),
            (
                "a note that is not text",
                [14],
                {"note": {"a": 1}},
                f"note on the quantity of {label}: {{'a': 1}} is not text.",
            ),
        ]
        before = self._written()
        for what, args, kwargs, message in table:
            with self.subTest(what):
                self.assertRefused(
                    "msp.agreement.addition",
                    "set_quantity",
                    [[self.manual.id], *args],
                    kwargs,
                    message,
                )
                self.assertEqual(self._written(), before)
        # the effective date may also come in the context of a plain write
        self.assertRefused(
            "msp.agreement.addition",
            "write",
            [[self.manual.id], {"quantity": 12}],
            {"context": {"msp_quantity_date": "2026-13-45"}},
            'date of the quantity change: "2026-13-45" is not a date (YYYY-MM-DD).',
        )
        self.assertEqual(self._written(), before)
        # valid input as before: a number as text, today, a note
        self.assertTrue(
            self._call(
                "msp.agreement.addition",
                "set_quantity",
                [[self.manual.id], "14"],
                {"date": date.today().isoformat(), "note": "M365 tenant"},
            )
        )
        after = self._written()
        self.assertEqual(after["quantity_log"], before["quantity_log"] + 1)
        self.assertEqual(self.manual.quantity, 14.0)
        entry = self.manual.quantity_history_ids.sorted("id")[-1]
        self.assertEqual(
            (entry.quantity_old, entry.quantity_new, entry.source, entry.note),
            (10.0, 14.0, "api", "M365 tenant"),
        )

    def test_fault_string_names_the_user_error(self):
        """Over the first XML-RPC endpoint the fault string itself says
        UserError (a ValidationError is one), then the message."""
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{config['http_port']}/xmlrpc/object", allow_none=True
        )
        with self.assertRaises(xmlrpc.client.Fault) as cm:
            proxy.execute_kw(
                self.env.cr.dbname,
                self.api_user.id,
                "msp_api_input_pw",
                "msp.agreement.addition",
                "set_quantity",
                [[self.manual.id], "twelve"],
                {},
            )
        self.assertEqual(
            cm.exception.faultCode,
            "warning -- UserError\n\nquantity of Api Seat on "
            f'{self.agreement.display_name}: "twelve" is not a number.',
        )

    # ------------------------------------------------------------------
    # Wizards
    # ------------------------------------------------------------------
    def test_wizards_malformed_payloads(self):
        table = [
            (
                "msp.revenue.report",
                {"date": "2026-13-45"},
                (
                    'Deferred revenue report date: "2026-13-45" is not a date '
                    "(YYYY-MM-DD)."
                ),
            ),
            (
                "msp.revenue.report",
                {"date": "yesterday"},
                'Deferred revenue report date: "yesterday" is not a date (YYYY-MM-DD).',
            ),
            (
                "msp.revenue.report",
                {"date": "2026-01-31", "company_id": "twelve"},
                'Deferred revenue report company: "twelve" is not a record id.',
            ),
            (
                "msp.revenue.report",
                {"date": "2026-01-31", "company_id": self.other_company.id},
                (
                    f"Deferred revenue report company: {self.other_company.id} is not "
                    "one of your companies."
                ),
            ),
            (
                "msp.billing.preview",
                {"agreement_id": self.agreement.id, "date": "2026-02-30"},
                'Invoice preview date: "2026-02-30" is not a date (YYYY-MM-DD).',
            ),
            (
                "msp.billing.preview",
                {"agreement_id": "twelve"},
                'Invoice preview agreement: "twelve" is not a record id.',
            ),
        ]
        for model, vals, message in table:
            count = self.env[model].search_count([])
            with self.subTest(model=model, vals=vals):
                self.assertRefused(model, "create", [vals], {}, message)
                self.assertEqual(self.env[model].search_count([]), count)
        # valid input as before
        report_id = self._call("msp.revenue.report", "create", [{"date": "2026-01-31"}])
        report = self.env["msp.revenue.report"].browse(report_id)
        self.assertEqual(str(report.date), "2026-01-31")
        self.assertEqual(report.company_id, self.api_user.company_id)
        self.assertRefused(
            "msp.revenue.report",
            "write",
            [[report_id], {"date": "2026-13-45"}],
            {},
            'Deferred revenue report date: "2026-13-45" is not a date (YYYY-MM-DD).',
        )


@tagged("post_install", "-at_install")
class TestPortalChangeRequestInput(HttpCase):
    """A malformed change request POST gets the form back with a message
    naming the bad value, never a server error, and files nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context={**cls.env.context, "tracking_disable": True})
        cls.env = env
        Partner = env["res.partner"]
        cls.client = Partner.create({"name": "Form Input Dental", "is_company": True})
        cls.contact = Partner.create(
            {"name": "Fiona Form", "parent_id": cls.client.id, "email": "f@f.test"}
        )
        other = Partner.create({"name": "Form Other Inc", "is_company": True})
        new_test_user(
            env,
            login="msp_form_input",
            password="msp_form_input",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        seat = env["product.product"].create(
            {"name": "Form Seat", "type": "service", "list_price": 25.0}
        )
        start = date.today().replace(day=1)
        cls.agreement, cls.other_agreement = env["msp.agreement"].create(
            [
                {
                    "title": title,
                    "partner_id": partner.id,
                    "date_start": start,
                    "addition_ids": [
                        Command.create({"product_id": seat.id, "quantity": 12})
                    ],
                }
                for title, partner in (("Form IT", cls.client), ("Other IT", other))
            ]
        )
        (cls.agreement | cls.other_agreement).action_activate()

    def _csrf_token(self):
        response = self.url_open(self.agreement.access_url)
        self.assertEqual(response.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def test_malformed_change_requests(self):
        self.authenticate("msp_form_input", "msp_form_input")
        token = self._csrf_token()
        url = f"{self.agreement.access_url}/change_request"
        addition = self.agreement.addition_ids
        foreign = self.other_agreement.addition_ids
        long_text = "More seats. " * 500
        table = [
            ({"description": "   "}, "Your request is empty."),
            ({}, "Your request is empty."),
            (
                {"description": long_text},
                (
                    f'Your request: "{long_text.strip()[:40]}…" is too long (5999 '
                    "characters, at most 5000)."
                ),
            ),
            (
                {"description": "More seats", "quantity": "nan"},
                'New quantity: "nan" is not a finite number.',
            ),
            (
                {"description": "More seats", "quantity": "inf"},
                'New quantity: "inf" is not a finite number.',
            ),
            (
                {"description": "More seats", "quantity": "1e400"},
                'New quantity: "1e400" is not a finite number.',
            ),
            (
                {"description": "More seats", "quantity": "twelve"},
                'New quantity: "twelve" is not a number.',
            ),
            (
                {"description": "More seats", "quantity": "-2"},
                'New quantity: "-2" is less than 0.',
            ),
            (
                {"description": "More seats", "addition_id": "abc"},
                'Service: "abc" is not a record id.',
            ),
            (
                {"description": "More seats", "addition_id": "1.5"},
                'Service: "1.5" is not a record id.',
            ),
            (
                {"description": "More seats", "addition_id": str(foreign.id)},
                f"Service: {foreign.id} is not on agreement {self.agreement.name}.",
            ),
        ]
        Ticket = self.env["helpdesk.ticket"]
        tickets = Ticket.search_count([])
        messages = len(self.agreement.message_ids)
        for data, message in table:
            with self.subTest(data=data):
                response = self.url_open(url, data={"csrf_token": token, **data})
                self.assertEqual(response.status_code, 200)
                text = html.unescape(response.text)
                self.assertIn("o_msp_change_request_error", text)
                self.assertNotIn("o_msp_change_request_sent", text)
                error = re.search(
                    r'o_msp_change_request_error"[^>]*>([^<]*)<', text
                ).group(1)
                self.assertEqual(error.strip(), message)
                if data.get("description", "").strip():
                    # the form comes back with what the client typed
                    self.assertIn(data["description"].strip()[:100], text)
        # the service and quantity chosen come back too
        response = self.url_open(
            url,
            data={
                "csrf_token": token,
                "description": "More seats",
                "addition_id": str(addition.id),
                "quantity": "-4",
            },
        )
        self.assertRegex(response.text, rf'<option value="{addition.id}" selected=')
        self.assertIn('name="quantity" type="number"', response.text)
        self.assertRegex(response.text, r'id="msp_change_quantity"[^>]*value="-4"')
        # a file where text is expected is no text
        response = self.url_open(
            url,
            data={"csrf_token": token},
            files={"description": ("request.txt", b"More seats", "text/plain")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your request is empty.", response.text)
        self.assertEqual(Ticket.search_count([]), tickets)
        self.agreement.invalidate_recordset()
        self.assertEqual(len(self.agreement.message_ids), messages)
        self.assertEqual(addition.quantity, 12)
        # a good request still goes through, the form's choices kept
        response = self.url_open(
            url,
            data={
                "csrf_token": token,
                "description": "Three more seats",
                "addition_id": str(addition.id),
                "quantity": "15",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_msp_change_request_sent", response.text)
        ticket = Ticket.search([], order="id desc", limit=1)
        self.assertEqual(ticket.msp_agreement_id, self.agreement)
        self.assertIn("Requested quantity: 15", ticket.description)

    def test_malformed_ticket_id_on_the_page(self):
        self.authenticate("msp_form_input", "msp_form_input")
        for ticket_id in ("²", "abc", "-1", "99999999"):
            with self.subTest(ticket_id=ticket_id):
                response = self.url_open(
                    f"{self.agreement.access_url}?change_request=sent"
                    f"&ticket_id={ticket_id}"
                )
                self.assertEqual(response.status_code, 200)
