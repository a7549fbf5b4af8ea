# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import contextlib
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import validate

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "msp_psa.group_msp_psa_manager"
# The longest text a client may type (a reason, a request, a name).
CHANGE_TEXT_LENGTH = 2000
SIGNER_NAME_LENGTH = 200
# Days a proposal stays open by default.
DEFAULT_VALIDITY_DAYS = 30
STATES = [
    ("draft", "Draft"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("applied", "Applied"),
    ("declined", "Declined"),
    ("expired", "Expired"),
    ("cancel", "Cancelled"),
]
# Writing one of these on a proposal changes its price impact.
IMPACT_TERMS = {"line_ids", "date_effective", "agreement_id"}
# Line actions that change a price: only an MSP Manager accepts them for a client.
PRICE_ACTIONS = {"price", "fee", "block"}
# The context key under which a change is only simulated (never on a real apply).
SIMULATE = "msp_change_simulate"


class MspAgreementChange(models.Model):
    """A proposal of changes to an agreement that the client signs.

    Its lines add or remove additions, set a quantity, a price, the monthly
    fee or a new end of term, all from one effective date. The price impact
    (new MRR, what the next invoice charges or credits for it) is the billing
    engine's own answer: the change is applied in a savepoint that is rolled
    back, and the engine prepares the next invoice with and without it.

    Once accepted (by the client in the portal, with name and signature, or
    by staff on the client's behalf with a note), it is applied on its
    effective date through the dated quantity log and the additions' dates, so
    the next billing charges or credits the difference prorated.
    """

    _name = "msp.agreement.change"
    _description = "MSP Agreement Change Order"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_effective desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    agreement_id = fields.Many2one(
        "msp.agreement",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        related="agreement_id.partner_id", store=True, index=True, string="Client"
    )
    company_id = fields.Many2one(
        related="agreement_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="agreement_id.currency_id")
    contact_id = fields.Many2one(
        "res.partner",
        string="Sent To",
        domain="[('id', 'child_of', partner_id)]",
        help="Who receives the proposal by mail. Empty: the agreement's first "
        "contact, else the client.",
    )
    date_effective = fields.Date(
        string="Effective Date",
        required=True,
        tracking=True,
        default=fields.Date.context_today,
        help="The day the changes take effect. A past day is settled by the next "
        "invoice; a future day is applied by the nightly action on that day.",
    )
    origin = fields.Selection(
        [
            ("staff", "Staff"),
            ("portal", "Client request"),
            ("renewal", "Renewal"),
            ("signal", "Usage signal"),
        ],
        required=True,
        default="staff",
        readonly=True,
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="draft",
        copy=False,
        tracking=True,
        index=True,
        readonly=True,
    )
    validity_date = fields.Date(
        string="Valid Until",
        copy=False,
        default=lambda self: (
            fields.Date.context_today(self) + timedelta(days=DEFAULT_VALIDITY_DAYS)
        ),
        help="The proposal expires after this day if the client has not accepted it.",
    )
    note = fields.Text(
        help="What the client reads with the proposal; a client's own request."
    )
    decline_reason = fields.Text(copy=False, readonly=True)
    signed_by = fields.Char(copy=False, readonly=True)
    signature = fields.Image(
        copy=False, attachment=True, max_width=1024, max_height=1024, readonly=True
    )
    signed_on = fields.Datetime(copy=False, readonly=True)
    accepted_by_user_id = fields.Many2one(
        "res.users",
        string="Accepted By (Staff)",
        copy=False,
        readonly=True,
        help="The staff member who accepted on the client's behalf.",
    )
    acceptance_note = fields.Text(
        copy=False,
        help="How the client agreed when staff accept on its behalf (call, mail…).",
    )
    applied_on = fields.Datetime(copy=False, readonly=True)
    recipient_id = fields.Many2one(
        "res.partner",
        compute="_compute_recipient_id",
        help="Who the proposal is mailed to.",
    )
    line_ids = fields.One2many(
        "msp.agreement.change.line", "change_id", string="Changes", copy=True
    )

    # Price impact (the billing engine's figures, refreshed with the lines) ------
    mrr_before = fields.Monetary(
        string="MRR Before",
        readonly=True,
        copy=False,
        help="Monthly recurring revenue on the effective date without the change.",
    )
    mrr_after = fields.Monetary(
        string="New MRR",
        readonly=True,
        copy=False,
        help="Monthly recurring revenue on the effective date with the change.",
    )
    mrr_delta = fields.Monetary(
        string="MRR Change", compute="_compute_mrr_delta", store=True
    )
    impact_invoice_date = fields.Date(
        string="Billed On",
        readonly=True,
        copy=False,
        help="Date of the invoice that first bills the change.",
    )
    impact_amount = fields.Monetary(
        string="On That Invoice",
        readonly=True,
        copy=False,
        help="What the change adds to (or, negative, credits on) that invoice, "
        "untaxed, prorated by the billing engine.",
    )
    impact_message = fields.Char(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("mrr_before", "mrr_after")
    def _compute_mrr_delta(self):
        for change in self:
            change.mrr_delta = change.mrr_after - change.mrr_before

    @api.depends("name", "agreement_id.name")
    def _compute_display_name(self):
        for change in self:
            change.display_name = self.env._(
                "Change %(reference)s to %(agreement)s",
                reference=change.name,
                agreement=change.agreement_id.name or "",
            )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for change in self:
            change.access_url = f"/my/agreements/changes/{change.id}"
        return res

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Change order %(name)s", name=self.name)

    @api.depends("contact_id", "agreement_id.contact_ids", "partner_id")
    def _compute_recipient_id(self):
        for change in self:
            change.recipient_id = (
                change.contact_id
                or change.agreement_id.contact_ids[:1]
                or change.partner_id
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("date_effective", "agreement_id")
    def _check_date_effective(self):
        for change in self:
            agreement = change.agreement_id
            if change.date_effective < agreement.date_start:
                raise ValidationError(
                    self.env._(
                        "Change %(change)s cannot take effect on %(date)s, before "
                        "agreement %(agreement)s starts (%(start)s).",
                        change=change.name,
                        date=change.date_effective,
                        agreement=agreement.display_name,
                        start=agreement.date_start,
                    )
                )
            if agreement.date_end and change.date_effective > agreement.date_end:
                # a new term may push the end: judge against the proposed one
                new_end = max(
                    change.line_ids.filtered(lambda x: x.action == "term").mapped(
                        "date_end"
                    ),
                    default=agreement.date_end,
                )
                if change.date_effective > max(new_end, agreement.date_end):
                    raise ValidationError(
                        self.env._(
                            "Change %(change)s cannot take effect on %(date)s, after "
                            "agreement %(agreement)s ends (%(end)s).",
                            change=change.name,
                            date=change.date_effective,
                            agreement=agreement.display_name,
                            end=agreement.date_end,
                        )
                    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                agreement = self.env["msp.agreement"].browse(vals.get("agreement_id"))
                company = agreement.company_id or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("msp.agreement.change")
                    or "/"
                )
        # the lines created with it refresh nothing: the proposal does, once
        created = super(
            MspAgreementChange, self.with_context(msp_change_impact=True)
        ).create(vals_list)
        changes = self.browse(created.ids)
        changes._msp_refresh_impact()
        return changes

    def write(self, vals):
        if IMPACT_TERMS & vals.keys():
            self._msp_check_editable()
        res = super(
            MspAgreementChange, self.with_context(msp_change_impact=True)
        ).write(vals)
        if IMPACT_TERMS & vals.keys():
            self._msp_refresh_impact()
        return res

    def _msp_check_editable(self):
        """Only a draft or sent proposal changes what it proposes."""
        frozen = self.filtered(lambda c: c.state not in ("draft", "sent"))
        if frozen:
            raise UserError(
                self.env._(
                    "%(changes)s can no longer be edited (%(state)s): create a "
                    "new change order instead.",
                    changes=", ".join(frozen.mapped("name")),
                    state=", ".join(
                        sorted({dict(STATES)[s] for s in frozen.mapped("state")})
                    ),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        done = self.filtered(lambda c: c.state in ("accepted", "applied"))
        if done:
            raise UserError(
                self.env._(
                    "%(changes)s were accepted: they stay as the client's signed "
                    "record.",
                    changes=", ".join(done.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Price impact: the billing engine, in a savepoint rolled back
    # ------------------------------------------------------------------
    def _msp_refresh_impact(self):
        """Store the price impact of these open proposals (see
        ``_msp_simulate_impact``)."""
        for change in self.filtered(lambda c: c.state in ("draft", "sent")):
            values = change.sudo()._msp_simulate_impact()
            # no impact term among them: written as they are
            change.sudo().write(values)

    def _msp_impact_invoice_date(self):
        """The date of the invoice that first bills the change: the agreement's
        next invoice, or, when the change takes effect in a later period, that
        period's invoice date. None when nothing is left to invoice."""
        self.ensure_one()
        agreement = self.agreement_id
        if agreement.state not in ("active", "suspended") or not (
            agreement.next_invoice_date
        ):
            return None
        start, end = agreement._period_containing(self.date_effective)
        invoice_date = start if agreement.billing_timing == "advance" else end
        if agreement.billing_timing == "arrears":
            invoice_date += timedelta(days=1)
        return max(
            agreement.next_invoice_date,
            invoice_date,
            fields.Date.context_today(self),
        )

    def _msp_next_invoice_amount(self, date_ref):
        """Untaxed amount the next run on ``date_ref`` would invoice for the
        agreement (a credit note counts negative), rounded line by line as the
        invoice is."""
        self.ensure_one()
        agreement = self.agreement_id
        plans = agreement._prepare_billing(date_ref)
        currency = agreement.currency_id
        total = 0.0
        for plan in plans:
            invoice_vals = plan.get("invoice_vals")
            if not invoice_vals:
                continue
            sign = -1 if invoice_vals.get("move_type") == "out_refund" else 1
            for _cmd, _id, line in invoice_vals.get("invoice_line_ids", []):
                if line.get("display_type") in ("line_section", "line_note"):
                    continue
                total += sign * currency.round(
                    line.get("quantity", 0.0) * line.get("price_unit", 0.0)
                )
        return currency.round(total)

    def _msp_simulate_impact(self):
        """{mrr_before, mrr_after, impact_invoice_date, impact_amount,
        impact_message} of this proposal.

        The MRR is the agreement's one MRR (``tools/mrr.py``) on the effective
        date; the amount is the difference between what the billing engine
        prepares for the invoice that first bills the change with the change
        applied and without it. The change is applied in a savepoint that is
        always rolled back: nothing stays written."""
        self.ensure_one()
        agreement = self.agreement_id
        day = self.date_effective
        date_ref = self._msp_impact_invoice_date()
        values = {
            "mrr_before": agreement.with_context(date=day).mrr,
            "mrr_after": 0.0,
            "impact_invoice_date": date_ref or False,
            "impact_amount": 0.0,
            "impact_message": False,
        }
        if not self.line_ids:
            values["mrr_after"] = values["mrr_before"]
            return values
        env = self.env
        cr = env.cr
        try:
            before = self._msp_next_invoice_amount(date_ref) if date_ref else 0.0
            savepoint = cr.savepoint()
            with contextlib.closing(savepoint):
                quiet = self.with_context(
                    tracking_disable=True,
                    mail_create_nolog=True,
                    mail_notrack=True,
                    **{SIMULATE: True},
                )
                quiet._msp_apply_lines()
                agreement.invalidate_recordset()
                values["mrr_after"] = agreement.with_context(date=day).mrr
                if date_ref:
                    after = self._msp_next_invoice_amount(date_ref)
                    values["impact_amount"] = agreement.currency_id.round(
                        after - before
                    )
            # closing() rolled the savepoint back (and cleared the cache)
        except (UserError, ValidationError) as error:
            env.invalidate_all()
            values.update(
                mrr_after=values["mrr_before"],
                impact_amount=0.0,
                impact_message=str(error.args[0] if error.args else error),
            )
            return values
        env.invalidate_all()
        if not date_ref:
            values["impact_message"] = self.env._(
                "Nothing is left to invoice on this agreement."
            )
        return values

    # ------------------------------------------------------------------
    # Applying
    # ------------------------------------------------------------------
    def _msp_apply_price(self, record, field_name, price, date):
        """The one way a change order sets a price (an addition's unit price,
        an agreement's fixed fee) from ``date``: through the dated price log,
        so the engine prorates the day and settles a period billed already."""
        note = self.env._("Change order %(name)s", name=self.name)
        if field_name == "price_unit":
            record.set_price(price, date=date, note=note, source="change")
        elif field_name == "fixed_fee":
            record.set_fee(price, date=date, note=note, source="change")
        elif field_name == "block_price":
            record.set_block_price(price, date=date, note=note, source="change")
        else:
            raise ValueError(field_name)

    def _msp_apply_lines(self):
        """Make the lines' changes from the effective date, through the dated
        logs: quantities with ``set_quantity``, new additions from the day,
        removed ones ending the day before, the term's end, prices through
        ``_msp_apply_price``. Simulating (context ``SIMULATE``), a future
        quantity is written straight to the log, as the day will write it."""
        self.ensure_one()
        day = self.date_effective
        agreement = self.agreement_id
        Addition = self.env["msp.agreement.addition"]
        today = fields.Date.context_today(self)
        for line in self.line_ids:
            addition = line.addition_id
            if line.action == "add":
                vals = {
                    "agreement_id": agreement.id,
                    "product_id": line.product_id.id,
                    "quantity": line.quantity,
                    "date_start": day,
                    "price_unit": line.price_unit,
                }
                Addition.create(vals)
            elif line.action == "remove":
                addition.write({"date_end": day - timedelta(days=1)})
            elif line.action == "quantity":
                if day <= today:
                    addition.set_quantity(
                        line.quantity,
                        date=day,
                        note=self.env._("Change order %(name)s", name=self.name),
                    )
                else:
                    self._msp_simulate_future_quantity(addition, line.quantity, day)
            elif line.action == "price":
                self._msp_apply_price(addition, "price_unit", line.price_unit, day)
            elif line.action == "fee":
                self._msp_apply_price(agreement, "fixed_fee", line.price_unit, day)
            elif line.action == "block":
                agreement.write({"block_hours": line.quantity})
                self._msp_apply_price(agreement, "block_price", line.price_unit, day)
            elif line.action == "term":
                agreement.write({"date_end": line.date_end})

    def _msp_simulate_future_quantity(self, addition, quantity, day):
        """A quantity from a future ``day`` in the log, as the nightly apply on
        that day will log it (only ever simulated: the log takes no future
        change)."""
        if not self.env.context.get(SIMULATE):
            raise UserError(
                self.env._(
                    "Change %(change)s takes effect on %(date)s: it is applied on "
                    "that day.",
                    change=self.name,
                    date=day,
                )
            )
        steps = addition._read_quantity_steps().get(addition.id, [])
        before = steps[-1][1] if steps else addition.quantity
        self.env["msp.agreement.addition.quantity"].sudo().create(
            {
                "addition_id": addition.id,
                "date": day,
                "quantity_old": before,
                "quantity_new": quantity,
                "source": "manual",
            }
        )
        addition._msp_changed_from({addition: day})

    def _msp_apply(self):
        """Apply accepted proposals whose effective date has come, each once:
        the rows are locked and their state read again under the lock, so a
        second caller (a double click, the cron and a user at once) finds them
        applied and does nothing."""
        today = fields.Date.context_today(self)
        candidates = self.filtered(
            lambda c: c.state == "accepted" and c.date_effective <= today
        )
        if not candidates:
            return self.browse()
        self.flush_model(["state"])
        self.env.cr.execute(
            """
            SELECT id FROM msp_agreement_change
             WHERE id = ANY(%s) AND state = 'accepted'
             ORDER BY id
               FOR UPDATE
            """,
            [candidates.ids],
        )
        locked = self.browse([row[0] for row in self.env.cr.fetchall()])
        locked.invalidate_recordset(["state"])
        applied = self.browse()
        for change in locked:
            if change.state != "accepted":
                continue
            # sudo: the client accepted; applying is the system's work
            change.sudo()._msp_apply_lines()
            change.sudo().write(
                {"state": "applied", "applied_on": fields.Datetime.now()}
            )
            change.agreement_id.sudo().message_post(
                body=self.env._(
                    "Change %(change)s applied from %(date)s.",
                    change=change.name,
                    date=change.date_effective,
                )
            )
            applied |= change
        return applied

    # ------------------------------------------------------------------
    # Sending, accepting, declining
    # ------------------------------------------------------------------
    def action_send(self):
        """Mail the proposal to the client (its language) with the link to
        its portal page, and mark it sent."""
        for change in self:
            if change.state not in ("draft", "sent"):
                raise UserError(
                    self.env._(
                        "Change %(change)s is %(state)s: only a draft or sent "
                        "proposal can be sent.",
                        change=change.name,
                        state=dict(STATES)[change.state].lower(),
                    )
                )
            if not change.line_ids:
                raise UserError(
                    self.env._(
                        "Change %(change)s proposes nothing: add at least one line "
                        "before sending it.",
                        change=change.name,
                    )
                )
            change._check_not_expired()
        self._portal_ensure_token()
        self.write({"state": "sent"})
        self._msp_refresh_impact()
        template = self.env.ref("msp_psa.mail_template_msp_agreement_change")
        for change in self:
            change.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def _check_not_expired(self):
        today = fields.Date.context_today(self)
        for change in self:
            if change.validity_date and change.validity_date < today:
                raise UserError(
                    self.env._(
                        "Change %(change)s expired on %(date)s: it can no longer be "
                        "sent or accepted. Set a later validity date or create a new "
                        "proposal.",
                        change=change.name,
                        date=change.validity_date,
                    )
                )

    def _check_can_accept(self, states):
        for change in self:
            if change.state == "applied":
                raise UserError(
                    self.env._(
                        "Change %(change)s was applied already on %(date)s.",
                        change=change.name,
                        date=change.applied_on,
                    )
                )
            if change.state not in states:
                raise UserError(
                    self.env._(
                        "Change %(change)s is %(state)s: it cannot be accepted.",
                        change=change.name,
                        state=dict(STATES)[change.state].lower(),
                    )
                )
        self._check_not_expired()

    def _msp_accept_signed(self, name, signature):
        """The client accepts in the portal with its name and signature (a
        base64 image); applied at once when its effective date has come."""
        self.ensure_one()
        with validate.user_errors(self.env):
            name = validate.to_text(
                name, self.env._("Your name"), max_length=SIGNER_NAME_LENGTH
            )
            if not signature:
                raise validate.InputError(
                    self.env._("Your signature is missing: sign in the box first.")
                )
            signature = validate.to_text(signature, self.env._("Your signature"))
        self._check_can_accept(("sent",))
        self.write(
            {
                "state": "accepted",
                "signed_by": name,
                "signature": signature,
                "signed_on": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=self.env._("Accepted and signed by %(name)s.", name=name),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self._msp_apply()
        return True

    def accept_on_behalf(self, note):
        """Staff accept the proposals on the client's behalf, saying how the
        client agreed (``note``); applied at once when their effective date has
        come. Also over RPC::

            models.execute_kw(db, uid, key, "msp.agreement.change",
                              "accept_on_behalf", [[change_id], "Agreed by phone"])

        A price or fee change is accepted only by an MSP Manager."""
        with validate.user_errors(self.env):
            note = validate.to_text(
                note,
                self.env._("Acceptance note"),
                max_length=CHANGE_TEXT_LENGTH,
            )
        self._check_can_accept(("draft", "sent"))
        if (
            not self.env.su
            and not self.env.user.has_group(MANAGER_GROUP)
            and any(a in PRICE_ACTIONS for a in self.line_ids.mapped("action"))
        ):
            raise AccessError(
                self.env._(
                    "Only an MSP Manager can accept a price or fee change on the "
                    "client's behalf."
                )
            )
        self.write(
            {
                "state": "accepted",
                "accepted_by_user_id": self.env.user.id,
                "acceptance_note": note,
                "signed_on": fields.Datetime.now(),
            }
        )
        for change in self:
            change.message_post(
                body=self.env._(
                    "Accepted on the client's behalf by %(user)s: %(note)s",
                    user=self.env.user.name,
                    note=note,
                ),
            )
        self._msp_apply()
        return True

    def action_accept_on_behalf(self):
        """The form's button: the acceptance note typed on the form."""
        for change in self:
            change.accept_on_behalf(change.acceptance_note)
        return True

    def _msp_decline(self, reason):
        """The client (or staff for it) declines, with a reason. Nothing of the
        agreement changes."""
        with validate.user_errors(self.env):
            reason = validate.to_text(
                reason,
                self.env._("Reason for declining"),
                max_length=CHANGE_TEXT_LENGTH,
            )
        wrong = self.filtered(lambda c: c.state not in ("draft", "sent"))
        if wrong:
            raise UserError(
                self.env._(
                    "Change %(change)s is %(state)s: it cannot be declined.",
                    change=wrong[0].name,
                    state=dict(STATES)[wrong[0].state].lower(),
                )
            )
        self.write({"state": "declined", "decline_reason": reason})
        for change in self:
            change.message_post(
                body=self.env._("Declined: %(reason)s", reason=reason),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return True

    def decline(self, reason):
        """External API: decline with a reason."""
        return self._msp_decline(reason)

    def action_cancel(self):
        wrong = self.filtered(lambda c: c.state == "applied")
        if wrong:
            raise UserError(
                self.env._(
                    "Change %(change)s was applied: it cannot be cancelled. Create "
                    "a change order that reverses it.",
                    change=wrong[0].name,
                )
            )
        self.write({"state": "cancel"})
        return True

    def action_draft(self):
        wrong = self.filtered(
            lambda c: c.state not in ("cancel", "declined", "expired")
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Change %(change)s is %(state)s: only a cancelled, declined or "
                    "expired proposal goes back to draft.",
                    change=wrong[0].name,
                    state=dict(STATES)[wrong[0].state].lower(),
                )
            )
        self.write(
            {
                "state": "draft",
                "decline_reason": False,
                "validity_date": fields.Date.context_today(self)
                + timedelta(days=DEFAULT_VALIDITY_DAYS),
            }
        )
        self._msp_refresh_impact()
        return True

    def action_refresh_impact(self):
        self._msp_refresh_impact()
        return True

    def action_preview_portal(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self.get_portal_url(),
        }

    # ------------------------------------------------------------------
    # Portal change requests
    # ------------------------------------------------------------------
    @api.model
    def _msp_create_portal_request(self, agreement, partner, request, date):
        """A client asks for a change from the portal: a draft change order
        (origin portal) for staff to complete and send, with an activity for
        the account manager. What the client sent is checked first."""
        with validate.user_errors(self.env):
            request = validate.to_text(
                request, self.env._("Your request"), max_length=CHANGE_TEXT_LENGTH
            )
            day = validate.to_date(date, self.env._("Desired date"), required=False)
        day = day or fields.Date.context_today(self)
        change = self.sudo().create(
            {
                "agreement_id": agreement.id,
                "origin": "portal",
                "date_effective": day,
                "note": request,
                "contact_id": partner.id,
            }
        )
        change.message_post(
            body=self.env._(
                "Requested from the portal by %(partner)s: %(request)s",
                partner=partner.display_name,
                request=request,
            ),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        if agreement.user_id:
            change.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=agreement.user_id.id,
                summary=self.env._("Prepare the requested change"),
            )
        return change

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_apply_due(self):
        """Apply the accepted changes whose effective date has come, and expire
        the proposals left unsigned after their validity date. One savepoint per
        change: a change that cannot be applied is noted on it and stops
        nothing else."""
        today = fields.Date.context_today(self)
        expired = self.search(
            [("state", "in", ("draft", "sent")), ("validity_date", "<", today)]
        )
        expired.filtered(lambda c: c.state == "sent").write({"state": "expired"})
        due = self.search(
            [("state", "=", "accepted"), ("date_effective", "<=", today)],
            order="date_effective, id",
        )
        for change in due:
            try:
                with self.env.cr.savepoint():
                    change._msp_apply()
            except (UserError, ValidationError) as error:
                change.message_post(
                    body=self.env._(
                        "Could not apply on %(date)s: %(error)s",
                        date=today,
                        error=str(error.args[0] if error.args else error),
                    )
                )
        return True
