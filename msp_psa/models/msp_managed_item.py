# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import validate

SYNC_SOURCES = [
    ("manual", "Manual"),
    ("rmm", "RMM"),
    ("m365", "Microsoft 365"),
    ("api", "Other integration"),
]
# What a synced item may carry, and how long its texts may be.
SYNC_ITEM_KEYS = ("external_ref", "name", "serial_number", "active_from")
SYNC_TEXT_LENGTH = 256


class MspManagedItem(models.Model):
    """A device, user or licence the MSP manages for a client.

    Items are dated (``active_from`` / ``active_to``): per-device and per-user
    additions count the client's items of their kind at any date, so billing
    can prorate a device added on the 17th. Ending an item keeps its history;
    archiving it removes it from every count, as if it had never existed
    (the way to undo a mistake).
    """

    _name = "msp.managed.item"
    _description = "Managed Item"
    _inherit = ["mail.thread"]
    _order = "partner_id, kind_id, name"
    _check_company_auto = True

    name = fields.Char(
        required=True,
        tracking=True,
        help="Hostname, user principal name, licence name...",
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        check_company=True,
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="User / Contact",
        domain="[('id', 'child_of', partner_id)]",
        help="The client's person this item belongs to (the user of a seat, the owner "
        "of a laptop).",
    )
    kind_id = fields.Many2one(
        "msp.managed.item.kind", required=True, index=True, tracking=True
    )
    category = fields.Selection(related="kind_id.category", store=True)
    serial_number = fields.Char(string="Serial / Licence Key")
    external_ref = fields.Char(
        string="External ID",
        index="btree_not_null",
        help="The item's identifier in the system that syncs it (RMM device id, "
        "Microsoft 365 user id).",
    )
    source = fields.Selection(SYNC_SOURCES, required=True, default="manual")
    active_from = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    active_to = fields.Date(
        tracking=True, help="Last day the item is managed (and billed)."
    )
    is_current = fields.Boolean(
        string="In Service", compute="_compute_is_current", search="_search_is_current"
    )
    note = fields.Text()

    def init(self):
        # One in-service item per external id and source: a synced item that
        # disappears and comes back is a new record, so the gap stays in history.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS msp_managed_item_external_ref_uniq
                ON msp_managed_item (company_id, source, external_ref)
             WHERE external_ref IS NOT NULL AND active_to IS NULL AND active
            """
        )

    @api.depends("active_from", "active_to")
    @api.depends_context("date")
    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for item in self:
            item.is_current = item.active_from <= today and (
                not item.active_to or item.active_to >= today
            )

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [
                ("active_from", "<=", today),
                "|",
                ("active_to", "=", False),
                ("active_to", ">=", today),
            ]
        return [
            "|",
            ("active_from", ">", today),
            "&",
            ("active_to", "!=", False),
            ("active_to", "<", today),
        ]

    @api.constrains("active_from", "active_to")
    def _check_dates(self):
        for item in self:
            if item.active_to and item.active_to < item.active_from:
                raise ValidationError(
                    self.env._(
                        "Managed item %(item)s cannot leave service (%(end)s) before "
                        "it enters it (%(start)s).",
                        item=item.name,
                        end=item.active_to,
                        start=item.active_from,
                    )
                )

    @api.constrains("partner_id")
    def _check_partner_is_client(self):
        for item in self:
            if item.partner_id != item.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Managed item %(item)s must belong to a client company, not to "
                        "the contact %(contact)s.",
                        item=item.name,
                        contact=item.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Counts follow the items
    # ------------------------------------------------------------------
    _COUNTED_FIELDS = {
        "partner_id",
        "kind_id",
        "company_id",
        "active_from",
        "active_to",
        "active",
    }

    def _count_keys(self):
        return {
            (item.company_id.id, item.partner_id.id, item.kind_id.id) for item in self
        }

    def _recount(self, keys):
        if keys and not self.env.context.get("msp_defer_recount"):
            self.env["msp.agreement.addition"]._recount_for_keys(keys)

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        self._recount(items._count_keys())
        return items

    def write(self, vals):
        counted = self._COUNTED_FIELDS.intersection(vals)
        keys = self._count_keys() if counted else set()
        res = super().write(vals)
        if counted:
            self._recount(keys | self._count_keys())
        return res

    def unlink(self):
        keys = self._count_keys()
        res = super().unlink()
        self._recount(keys)
        return res

    # ------------------------------------------------------------------
    # External API
    # ------------------------------------------------------------------
    @api.model
    def sync_items(self, partner_id, kind_code, items, date=None, source="api"):
        """Make the client's in-service items of one kind match a full list.

        Meant for an RMM or Microsoft 365 sync over XML-RPC/JSON-RPC::

            models.execute_kw(db, uid, key, "msp.managed.item", "sync_items",
                              [partner_id, "m365_seat",
                               [{"external_ref": "u-1", "name": "ana@client.com"}]],
                              {"date": "2026-11-24", "source": "m365"})

        Items in the list are created (from ``date``) or renamed; in-service
        items of that client, kind and source missing from the list leave
        service the day before ``date``. Returns what changed, as counts.

        Everything is checked before anything is written: a malformed payload
        is refused as a whole with a ``ValidationError`` naming the bad value
        and the item's ``external_ref``.
        """
        sync_date, partner, kind, items, source = self._sync_check_input(
            partner_id, kind_code, items, date, source
        )
        current = self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "=", partner.id),
                ("kind_id", "=", kind.id),
                ("source", "=", source),
                ("external_ref", "!=", False),
                ("active_to", "=", False),
            ]
        )
        by_ref = {item.external_ref: item for item in current}
        to_create, updated = [], 0
        for vals in items:
            item = by_ref.pop(vals["external_ref"], None)
            changes = {k: vals[k] for k in ("name", "serial_number") if k in vals}
            if item is None:
                to_create.append(
                    {
                        "name": vals.get("name") or vals["external_ref"],
                        "serial_number": vals.get("serial_number") or False,
                        "external_ref": vals["external_ref"],
                        "partner_id": partner.id,
                        "kind_id": kind.id,
                        "source": source,
                        "active_from": vals["active_from"] or sync_date,
                        "company_id": self.env.company.id,
                    }
                )
            elif any(item[k] != v for k, v in changes.items()):
                item.write(changes)  # names only: no recount needed
                updated += 1
        # One recount at the end: a device swapped the same day nets out in the log.
        deferred = self.with_context(msp_defer_recount=True)
        gone = deferred.browse([item.id for item in by_ref.values()])
        same_day = gone.filtered(lambda i: i.active_from >= sync_date)
        (gone - same_day).write({"active_to": sync_date - timedelta(days=1)})
        same_day.write({"active": False})
        deferred.create(to_create)
        self._recount({(self.env.company.id, partner.id, kind.id)})
        return {"created": len(to_create), "updated": updated, "ended": len(gone)}

    @api.model
    def _sync_check_input(self, partner_id, kind_code, items, date, source):
        """``sync_items``' arguments checked and parsed: (sync date, client,
        kind, items as dicts of parsed values, source). Raises a
        ``ValidationError`` naming the first bad value."""
        with validate.user_errors(self.env):
            source = validate.to_choice(
                source, self.env._("sync source"), list(dict(SYNC_SOURCES))
            )
            sync_date = validate.to_date(date, self.env._("sync date"), required=False)
            partner_id = validate.to_id(partner_id, self.env._("client id"))
            kind_code = validate.to_text(
                kind_code, self.env._("managed item kind code")
            )
            items = validate.to_dicts(items, self.env._("synced items"), SYNC_ITEM_KEYS)
            parsed = []
            for position, vals in enumerate(items, start=1):
                ref = validate.to_ref(
                    vals.get("external_ref"),
                    self.env._(
                        "synced item %(position)s, external_ref", position=position
                    ),
                )
                item = {"external_ref": ref}
                for key in ("name", "serial_number"):
                    if key in vals:
                        item[key] = validate.to_text(
                            vals[key],
                            self.env._("item %(ref)s, %(key)s", ref=ref, key=key),
                            max_length=SYNC_TEXT_LENGTH,
                            required=False,
                        )
                if not item.get("name"):
                    item.pop("name", None)  # an empty name keeps the current one
                if "serial_number" in item:
                    item["serial_number"] = item["serial_number"] or False
                item["active_from"] = validate.to_date(
                    vals.get("active_from"),
                    self.env._("item %(ref)s, active_from", ref=ref),
                    required=False,
                )
                parsed.append(item)
            validate.unique(
                [item["external_ref"] for item in parsed],
                self.env._("synced external_ref"),
            )
        sync_date = sync_date or fields.Date.context_today(self)
        partner = self.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise UserError(
                self.env._("There is no client with id %(id)s.", id=partner_id)
            )
        if partner != partner.commercial_partner_id:
            raise UserError(
                self.env._(
                    "Managed items belong to a client company, not to the contact "
                    "%(contact)s (id %(id)s).",
                    contact=partner.display_name,
                    id=partner_id,
                )
            )
        kind = self.env["msp.managed.item.kind"].search(
            [("code", "=", kind_code)], limit=1
        )
        if not kind:
            raise UserError(
                self.env._("Unknown managed item kind code %(code)s.", code=kind_code)
            )
        refs = [item["external_ref"] for item in parsed]
        elsewhere = self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("source", "=", source),
                ("external_ref", "in", refs),
                ("active_to", "=", False),
                "|",
                ("partner_id", "!=", partner.id),
                ("kind_id", "!=", kind.id),
            ],
            limit=1,
        )
        if elsewhere:
            raise UserError(
                self.env._(
                    "Item %(ref)s is in service as %(item)s (%(kind)s) of "
                    "%(client)s: end it there before syncing it here.",
                    ref=elsewhere.external_ref,
                    item=elsewhere.name,
                    kind=elsewhere.kind_id.display_name,
                    client=elsewhere.partner_id.display_name,
                )
            )
        return sync_date, partner, kind, parsed, source
