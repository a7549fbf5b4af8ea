# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import binascii

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

CHANGE_MODEL = "msp.agreement.change"


class MspAgreementChangePortal(CustomerPortal):
    """Change orders in the customer portal: a page per proposal (accept with
    name and signature, or decline with a reason), its PDF, and the client's
    own request for a change, which becomes a draft change order for staff."""

    def _msp_change_check_access(self, change_id, access_token):
        """The proposal, sudo, if the user (or the token) may see it; else
        None. Ids come from the URL (an int converter) and the token is text."""
        if access_token is not None and not isinstance(access_token, str):
            return None
        try:
            return self._document_check_access(
                CHANGE_MODEL, change_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return None

    @http.route(
        ["/my/agreements/changes/<int:change_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_msp_agreement_change(
        self, change_id, access_token=None, report_type=None, download=False, **kw
    ):
        change_sudo = self._msp_change_check_access(change_id, access_token)
        if change_sudo is None:
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=change_sudo,
                report_type=report_type,
                report_ref="msp_psa.msp_agreement_change_report_action",
                download=download,
            )
        values = {
            "page_name": "msp_agreement_change",
            "change": change_sudo,
            "agreement": change_sudo.agreement_id,
            "message": kw.get("message") if isinstance(kw.get("message"), str) else "",
            "decline_error": kw.get("decline_error"),
        }
        values = self._get_page_view_values(
            change_sudo, access_token, values, "my_msp_changes_history", False, **kw
        )
        return request.render("msp_psa.portal_msp_agreement_change_page", values)

    @http.route(
        ["/my/agreements/changes/<int:change_id>/accept"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_msp_agreement_change_accept(
        self, change_id, access_token=None, name=None, signature=None
    ):
        access_token = access_token or request.httprequest.args.get("access_token")
        change_sudo = self._msp_change_check_access(change_id, access_token)
        if change_sudo is None:
            return {"error": request.env._("Invalid change order.")}
        try:
            with request.env.cr.savepoint():
                change_sudo.with_context(lang=request.env.lang)._msp_accept_signed(
                    name, signature
                )
        except (UserError, TypeError, binascii.Error) as error:
            message = (
                error.args[0]
                if isinstance(error, UserError)
                else request.env._("Invalid signature data.")
            )
            return {"error": message}
        return {
            "force_refresh": True,
            "redirect_url": change_sudo.get_portal_url(query_string="&message=signed"),
        }

    @http.route(
        ["/my/agreements/changes/<int:change_id>/decline"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_msp_agreement_change_decline(self, change_id, access_token=None, **post):
        change_sudo = self._msp_change_check_access(change_id, access_token)
        if change_sudo is None:
            return request.not_found()
        reason = post.get("decline_reason")
        try:
            with request.env.cr.savepoint():
                # a missing or non-text reason is refused as an empty one
                change_sudo.with_context(lang=request.env.lang)._msp_decline(
                    reason if isinstance(reason, str) else ""
                )
        except UserError as error:
            return request.redirect(
                change_sudo.get_portal_url(
                    query_string="&" + url_encode({"decline_error": error.args[0]}),
                    anchor="msp_change_decline",
                )
            )
        return request.redirect(
            change_sudo.get_portal_url(query_string="&message=declined")
        )

    @http.route(
        ["/my/agreements/<int:agreement_id>/changes/request"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_msp_agreement_change_request_order(
        self, agreement_id, access_token=None, **post
    ):
        try:
            agreement_sudo = self._document_check_access(
                "msp.agreement", agreement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.not_found()
        form = {
            key: value
            for key in ("request", "date")
            if isinstance(value := post.get(key), str)
        }
        query = {"access_token": access_token} if access_token else {}
        try:
            with request.env.cr.savepoint():
                request.env[CHANGE_MODEL]._msp_create_portal_request(
                    agreement_sudo,
                    request.env.user.partner_id,
                    form.get("request", ""),
                    form.get("date") or None,
                )
        except UserError as error:
            query.update(change_order_error=error.args[0])
        else:
            query.update(change_order="requested")
        return request.redirect(
            f"{agreement_sudo.access_url}?{url_encode(query)}#msp_changes"
        )
