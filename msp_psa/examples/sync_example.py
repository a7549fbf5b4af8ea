#!/usr/bin/env python3
"""Push a client's Microsoft 365 seats (or RMM devices) into msp_psa over XML-RPC.

What an RMM or Microsoft 365 sync does every night: send the full list of what
the client has today. msp_psa creates the new items, ends the missing ones the
day before, and every counted addition of that client and kind follows, with
its dated quantity history.

    ODOO_URL=http://localhost:8069 ODOO_DB=msp_demo ODOO_LOGIN=admin \
    ODOO_PASSWORD=admin python3 msp_psa/examples/sync_example.py

ODOO_PASSWORD may be an API key (Preferences > Account Security). Only the
standard library is used.
"""

import json
import os
import sys
import xmlrpc.client

URL = os.environ.get("ODOO_URL", "http://localhost:8069")
DB = os.environ.get("ODOO_DB", "msp_demo")
LOGIN = os.environ.get("ODOO_LOGIN", "admin")
PASSWORD = os.environ.get("ODOO_PASSWORD", "admin")
CLIENT = os.environ.get("CLIENT", "Acme Dental Group")
KIND = os.environ.get("KIND", "m365_seat")
SOURCE = os.environ.get("SOURCE", "m365")

# What the tenant reports today (normally read from Microsoft Graph or the RMM).
SEATS = [
    {"external_ref": "aad-0001", "name": "reception@acme-dental.example"},
    {"external_ref": "aad-0002", "name": "dr.smith@acme-dental.example"},
    {"external_ref": "aad-0003", "name": "dr.jones@acme-dental.example"},
    {"external_ref": "aad-0004", "name": "billing@acme-dental.example"},
]


def main():
    common = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/common")
    uid = common.authenticate(DB, LOGIN, PASSWORD, {})
    if not uid:
        sys.exit(f"login {LOGIN!r} refused by {URL} (database {DB!r})")
    models = xmlrpc.client.ServerProxy(f"{URL}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(DB, uid, PASSWORD, model, method, list(args), kwargs)

    clients = call(
        "res.partner",
        "search_read",
        [("name", "=", CLIENT), ("is_company", "=", True)],
        fields=["id"],
        limit=1,
    )
    if not clients:
        sys.exit(f"no client company named {CLIENT!r}")
    client_id = clients[0]["id"]

    result = call(
        "msp.managed.item", "sync_items", client_id, KIND, SEATS, source=SOURCE
    )
    additions = call(
        "msp.agreement.addition",
        "search_read",
        [
            ("partner_id", "=", client_id),
            ("quantity_source", "=", "counted"),
            ("kind_id.code", "=", KIND),
        ],
        fields=["agreement_id", "product_id", "quantity"],
    )
    print(json.dumps({"sync": result, "counted_additions": additions}, indent=2))


if __name__ == "__main__":
    main()
