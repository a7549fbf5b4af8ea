# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import fields, models
from odoo.exceptions import ValidationError

from ..tools import billing, validate
from ..tools import blocks as blocks_tools

# How many of an agreement's tickets and invoices its portal page lists.
PORTAL_LIST_LIMIT = 20
# The longest change request a client may send.
CHANGE_REQUEST_LENGTH = 5000
# How many months of block usage the portal page shows.
PORTAL_BLOCK_MONTHS = 12
# The windows of SLA results the portal page shows, in months.
PORTAL_SLA_MONTHS = (3, 12)


class MspAgreement(models.Model):
    """The agreement as the client sees it in the customer portal."""

    _name = "msp.agreement"
    _inherit = ["msp.agreement", "portal.mixin"]

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for agreement in self:
            agreement.access_url = f"/my/agreements/{agreement.id}"
        return res

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Agreement %(name)s", name=self.name)

    def action_preview_portal(self):
        """Open the agreement's portal page, as the client sees it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self.get_portal_url(),
        }

    # ------------------------------------------------------------------
    # What the portal page shows (called on the sudo'd record, after the
    # controller checked the visitor's access)
    # ------------------------------------------------------------------
    def _msp_portal_additions(self):
        """The additions in service today or starting later (not the ended ones)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.addition_ids.filtered(
            lambda a: not a.date_end or a.date_end >= today
        )

    def _msp_portal_page_values(self):
        """Everything the agreement's portal page shows, read in batches: a
        fixed number of queries however many additions the agreement has, so
        that the template only renders::

            {"msp_additions": msp.agreement.addition (see _msp_portal_additions),
             "msp_counted_items": {addition id: msp.managed.item},
             "msp_renewal": date or False,
             "msp_block_start": date or False,
             "block_usage": [...] (see _msp_portal_block_usage),
             "msp_sla_targets": [...] (see _msp_portal_sla_targets),
             "msp_sla_results": [(months, {...})] (see _msp_portal_sla_results),
             "msp_tickets": helpdesk.ticket, "msp_invoices": account.move}
        """
        self.ensure_one()
        additions = self._msp_portal_additions()
        block_start = False
        if self.block_hours:
            block_start = self._get_block_start()
            # computed here (one read of the time), rendered from the cache
            self.mapped("block_hours_used")
        return {
            "msp_additions": additions,
            "msp_counted_items": self._msp_portal_counted_items(additions),
            "msp_renewal": self._msp_portal_renewal_date(),
            "msp_block_start": block_start,
            "block_usage": self._msp_portal_block_usage(),
            "msp_sla_targets": self._msp_portal_sla_targets(),
            "msp_sla_results": [
                (months, self._msp_portal_sla_results(months))
                for months in PORTAL_SLA_MONTHS
            ],
            "msp_tickets": self._msp_portal_tickets(),
            "msp_invoices": self._msp_portal_invoices(),
        }

    def _msp_portal_counted_items(self, additions):
        """{addition id: the managed items its quantity comes from today} for
        the counted additions among ``additions`` (of this agreement), from one
        read of the items; a counted addition without a kind counts none."""
        self.ensure_one()
        Item = self.env["msp.managed.item"]
        counted = additions.filtered(lambda a: a.quantity_source == "counted")
        kinds = counted.kind_id
        items = Item
        if kinds:
            items = Item.search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("kind_id", "in", kinds.ids),
                    ("is_current", "=", True),
                ],
                order="name",
            )
        by_kind = items.grouped("kind_id")
        return {
            addition.id: by_kind.get(addition.kind_id, Item) for addition in counted
        }

    def _msp_portal_renewal_date(self):
        """The day the agreement renews (auto-renewal) or False."""
        self.ensure_one()
        if self.auto_renew and self.date_end:
            return fields.Date.add(self.date_end, days=1)
        return False

    def _msp_portal_tickets(self, limit=PORTAL_LIST_LIMIT):
        self.ensure_one()
        return self.env["helpdesk.ticket"].search(
            [("msp_agreement_id", "=", self.id)], order="create_date desc", limit=limit
        )

    def _msp_portal_invoices(self, limit=PORTAL_LIST_LIMIT):
        """The posted invoices and credit notes that bill the agreement."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                *self._get_invoice_domain(),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ],
            order="invoice_date desc, id desc",
            limit=limit,
        )

    def _msp_portal_block_usage(self, months=PORTAL_BLOCK_MONTHS):
        """The block hours period by period over the last ``months`` months,
        the current period first, with the time behind each: the back office's
        definition (hours logged = prepaid + overage hours of each line, as
        stored when the time was decided), from one read of the time::

            [{"date_start": date, "date_end": date, "current": bool,
              "bought": float, "used": float, "overage": float,
              "lines": [{"date": date, "ticket": helpdesk.ticket,
                         "description": str, "hours": float,
                         "prepaid": float, "overage": float}]}]

        Empty for an agreement without block hours.
        """
        self.ensure_one()
        if not (self.block_hours and self.date_start):
            return []
        today = fields.Date.context_today(self)
        if today < self.date_start:
            return []
        first = self._period_containing(
            max(self.date_start, today - relativedelta(months=months - 1))
        )[0]
        spans = []
        start, end = self._period_containing(first)
        while start <= today:
            spans.append((start, end))
            start, end = self._period_containing(end + relativedelta(days=1))
        lines = self._msp_block_time({self.id: first}, today)
        entries = [
            (line.date, line.msp_prepaid_hours, line.msp_overage_hours)
            for line in lines
        ]
        usage = []
        for start, end in reversed(spans):
            used, overage = blocks_tools.hours_logged(entries, start, min(end, today))
            usage.append(
                {
                    "date_start": start,
                    "date_end": end,
                    "current": start <= today <= end,
                    "bought": self.block_hours,
                    "used": used,
                    "overage": overage,
                    "lines": [
                        {
                            "date": line.date,
                            "ticket": line.ticket_id,
                            "description": line.name,
                            "hours": line.msp_prepaid_hours + line.msp_overage_hours,
                            "prepaid": line.msp_prepaid_hours,
                            "overage": line.msp_overage_hours,
                        }
                        for line in lines
                        if start <= line.date <= end
                    ],
                }
            )
        return usage

    def _msp_portal_sla_targets(self):
        """The SLA targets of the agreement (its policy, else the company's
        default), one dict per priority, the highest first::

            {"priority": "High", "response_hours": 1.0, "resolution_hours": 8.0,
             "hours": "Standard 40 hours/week"}

        A target of 0 (none) is given as None.
        """
        self.ensure_one()
        policy = self.sla_policy_id or self.company_id.msp_sla_policy_id
        priorities = dict(
            self.env["msp.sla.policy.line"]
            ._fields["priority"]
            ._description_selection(self.env)
        )
        return [
            {
                "priority": priorities[line.priority],
                "response_hours": line.response_hours or None,
                "resolution_hours": line.resolution_hours or None,
                "hours": line._get_hours_label(),
            }
            for line in policy.sudo().line_ids.sorted("priority", reverse=True)
        ]

    def _msp_portal_sla_results(self, months):
        """How the agreement's tickets received in the last ``months`` months
        fared, with the SLA Compliance report's definitions (one number
        everywhere): each ticket has a response and a resolution target, a
        target is decided once met or breached, and the met % is targets met ÷
        targets decided::

            {"tickets": int, "met": int, "breached": int, "met_pct": float or None,
             "avg_first_response_hours": float or None,
             "avg_resolution_hours": float or None}

        ``met_pct`` is None when no target is decided, the averages when no
        ticket was answered or resolved.
        """
        self.ensure_one()
        since = fields.Datetime.now() - relativedelta(months=months)
        [[tickets, met, decided, met_pct, first_response, resolution]] = (
            self.env["msp.sla.report"]
            .sudo()
            ._read_group(
                [("agreement_id", "=", self.id), ("date", ">=", since)],
                [],
                [
                    "ticket_count:sum",
                    "met_count:sum",
                    "decided_count:sum",
                    "met_percent:avg",
                    "first_response_hours:avg",
                    "resolution_hours:avg",
                ],
            )
        )
        # _read_group gives False for an aggregate of nothing
        return {
            "tickets": tickets or 0,
            "met": met or 0,
            "breached": (decided or 0) - (met or 0),
            "met_pct": None if met_pct is False else met_pct,
            "avg_first_response_hours": None
            if first_response is False
            else first_response,
            "avg_resolution_hours": None if resolution is False else resolution,
        }

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    def _msp_create_change_request(
        self, partner, request, addition=None, quantity=None
    ):
        """A client's request to change the agreement, filed from the portal.

        Creates a helpdesk ticket for the account manager and notes it on the
        agreement. Nothing about billing changes: staff accept the request by
        changing the agreement themselves.

        Checks what the client sent first (over a form or RPC, any of them may
        be text) and refuses bad input with a ``ValidationError`` naming it,
        before anything is written.

        :param partner: the client's contact who asks
        :param str request: what to change, in the client's words
        :param addition: the addition concerned (record or id), if any
        :param quantity: the quantity asked for it (number or text), if any
        :return: the ticket
        """
        self.ensure_one()
        with validate.user_errors(self.env):
            request = validate.to_text(
                request,
                self.env._("Your request"),
                max_length=CHANGE_REQUEST_LENGTH,
            )
            if addition is not None and not isinstance(addition, models.BaseModel):
                addition_id = validate.to_id(
                    addition, self.env._("Service"), required=False
                )
                addition = self.env["msp.agreement.addition"].browse(addition_id)
            quantity = validate.to_float(
                quantity, self.env._("New quantity"), minimum=0, required=False
            )
        if addition and addition not in self.addition_ids:
            raise ValidationError(
                self.env._(
                    "Service: %(addition)s is not on agreement %(agreement)s.",
                    addition=addition.id,
                    agreement=self.name,
                )
            )
        ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                self._prepare_change_request_ticket_vals(
                    partner, request, addition, quantity
                )
            )
        )
        self.message_post(
            body=Markup("%s<br/>%s")
            % (
                self.env._(
                    "Change request %(ticket)s filed from the portal by %(partner)s:",
                    ticket=ticket.number or ticket.name,
                    partner=partner.display_name,
                ),
                escape(request),
            ),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self._msp_after_change_request(partner, request, addition, quantity, ticket)
        return ticket

    def _msp_after_change_request(self, partner, request, addition, quantity, ticket):
        """Hook: what else a client's change request starts (see
        ``msp_agreement_changes``: a draft change order)."""
        return True

    def _prepare_change_request_ticket_vals(self, partner, request, addition, quantity):
        self.ensure_one()
        lines = [escape(line) for line in request.splitlines()]
        description = Markup("<p>%s</p>") % Markup("<br/>").join(lines)
        if addition:
            description += Markup("<p>%s</p>") % self.env._(
                "Addition: %(addition)s (today %(current)s)",
                addition=addition.product_id.display_name,
                current=billing.fmt_quantity(addition.quantity),
            )
        if quantity is not None:
            description += Markup("<p>%s</p>") % self.env._(
                "Requested quantity: %(quantity)s",
                quantity=billing.fmt_quantity(quantity),
            )
        return {
            "name": self.env._(
                "Change request: %(agreement)s", agreement=self.display_name
            ),
            "description": description,
            "partner_id": partner.id,
            "partner_name": partner.name,
            "partner_email": partner.email,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "msp_agreement_id": self.id,
            "msp_change_request": True,
        }
