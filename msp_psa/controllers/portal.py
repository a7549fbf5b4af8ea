# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class MspAgreementPortal(CustomerPortal):
    """The client's agreements in the customer portal: a list, a page per
    agreement with its usage, hours, SLA, tickets and invoices, its PDF, and a
    form to ask for a change."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "msp_agreement_count" in counters:
            Agreement = request.env["msp.agreement"]
            values["msp_agreement_count"] = (
                Agreement.search_count(self._msp_agreement_get_domain())
                if Agreement.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Overridable knobs
    # ------------------------------------------------------------------
    def _msp_agreement_get_domain(self):
        """The domain of the agreements the user's company holds as a client,
        drafts excepted (staff who read every agreement see only their own
        company's here too)."""
        return [
            ("partner_id", "=", request.env.user.commercial_partner_id.id),
            ("state", "!=", "draft"),
        ]

    def _msp_agreement_get_searchbar_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest"), "order": "date_start desc, id desc"},
            "name": {"label": env._("Reference"), "order": "name"},
            "renewal": {"label": env._("End / Renewal Date"), "order": "date_end"},
            "state": {"label": env._("Status"), "order": "state, name"},
        }

    def _msp_agreement_get_searchbar_inputs(self):
        env = request.env
        return {
            "all": {"input": "all", "label": env._("Search in All")},
            "name": {"input": "name", "label": env._("Search in Reference")},
            "title": {"input": "title", "label": env._("Search in Title")},
        }

    def _msp_agreement_get_search_domain(self, search_in, search):
        if search_in == "name":
            return [("name", "ilike", search)]
        if search_in == "title":
            return [("title", "ilike", search)]
        return ["|", ("name", "ilike", search), ("title", "ilike", search)]

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------
    @http.route(
        ["/my/agreements", "/my/agreements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_msp_agreements(
        self, page=1, sortby=None, search=None, search_in="all", **kw
    ):
        Agreement = request.env["msp.agreement"]
        if not Agreement.has_access("read"):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        searchbar_sortings = self._msp_agreement_get_searchbar_sortings()
        if sortby not in searchbar_sortings:
            sortby = "date"
        searchbar_inputs = self._msp_agreement_get_searchbar_inputs()
        if search_in not in searchbar_inputs:
            search_in = "all"
        domain = self._msp_agreement_get_domain()
        if search:
            domain = expression.AND(
                [domain, self._msp_agreement_get_search_domain(search_in, search)]
            )
        pager = portal_pager(
            url="/my/agreements",
            url_args={"sortby": sortby, "search": search, "search_in": search_in},
            total=Agreement.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        agreements = Agreement.search(
            domain,
            order=searchbar_sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_msp_agreements_history"] = agreements.ids[:100]
        values.update(
            {
                # sudo: the rules chose them; their lines are read for display
                "agreements": agreements.sudo(),
                "page_name": "msp_agreement",
                "default_url": "/my/agreements",
                "pager": pager,
                "searchbar_sortings": searchbar_sortings,
                "sortby": sortby,
                "searchbar_inputs": searchbar_inputs,
                "search_in": search_in,
                "search": search,
            }
        )
        return request.render("msp_psa.portal_my_msp_agreements", values)

    @http.route(
        ["/my/agreements/<int:agreement_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_msp_agreement(
        self, agreement_id, access_token=None, report_type=None, download=False, **kw
    ):
        try:
            agreement_sudo = self._document_check_access(
                "msp.agreement", agreement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=agreement_sudo,
                report_type=report_type,
                report_ref="msp_psa.msp_agreement_report_action",
                download=download,
            )
        values = self._msp_agreement_get_page_view_values(
            agreement_sudo, access_token, **kw
        )
        return request.render("msp_psa.portal_msp_agreement_page", values)

    def _msp_agreement_get_page_view_values(self, agreement_sudo, access_token, **kw):
        """The values the agreement's page renders, all prepared here (the
        template calls no search): the confirmation of a change request just
        sent, and what the agreement shows (``_msp_portal_page_values``)."""
        ticket_sudo = request.env["helpdesk.ticket"]
        ticket_id = kw.get("ticket_id")
        if isinstance(ticket_id, str) and ticket_id.isascii() and ticket_id.isdigit():
            ticket_sudo = ticket_sudo.sudo().browse(int(ticket_id)).exists()
            if (
                ticket_sudo.msp_agreement_id != agreement_sudo
                or not ticket_sudo.msp_change_request
            ):
                ticket_sudo = ticket_sudo.browse()
        values = {
            "page_name": "msp_agreement",
            "agreement": agreement_sudo,
            "change_request": kw.get("change_request"),
            "change_request_ticket": ticket_sudo,
            "can_request_change": not request.env.user._is_public(),
            # read here in batches; the template only renders them
            **agreement_sudo._msp_portal_page_values(),
        }
        return self._get_page_view_values(
            agreement_sudo,
            access_token,
            values,
            "my_msp_agreements_history",
            False,
            **kw,
        )

    @http.route(
        ["/my/agreements/<int:agreement_id>/change_request"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_msp_agreement_change_request(
        self, agreement_id, access_token=None, **post
    ):
        try:
            agreement_sudo = self._document_check_access(
                "msp.agreement", agreement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        # The form's fields as sent: text only (a crafted POST may send files
        # or nothing at all). The model checks them and names what is wrong.
        form = {
            key: value
            for key in ("description", "addition_id", "quantity")
            if isinstance(value := post.get(key), str)
        }
        try:
            with request.env.cr.savepoint():
                ticket = agreement_sudo._msp_create_change_request(
                    request.env.user.partner_id,
                    form.get("description", ""),
                    addition=form.get("addition_id") or None,
                    quantity=form.get("quantity") or None,
                )
        except UserError as error:
            # Shown on the page with what the client typed, to correct it.
            values = self._msp_agreement_get_page_view_values(
                agreement_sudo, access_token
            )
            values.update(change_request_error=error.args[0], change_request_form=form)
            return request.render("msp_psa.portal_msp_agreement_page", values)
        query = {"access_token": access_token} if access_token else {}
        query.update(change_request="sent", ticket_id=ticket.id)
        return request.redirect(
            # land on the confirmation, next to the form
            f"{agreement_sudo.access_url}?{url_encode(query)}#change_request_sent"
        )
