# Copyright 2026 msp_psa authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Prices get a dated history (``msp.agreement.price``).

Existing agreements get their history as their invoices billed it, so that
no period already invoiced is re-priced: the fixed fee and the block price
from the agreement's start; each addition's unit price from its start at the
price of its first billed period, a step wherever a later billed period (not
a settlement) was billed at another price, and its current price from its
agreement's next period not billed yet when that differs. Existing fee and
block lines record what they billed (one unit at the agreement's current fee
or block price), as the engine now writes them. All in set-based SQL, in
batches."""

import logging
from datetime import date

from psycopg2.extras import execute_values

_logger = logging.getLogger(__name__)

BATCH = 5000
NOTE = "Recorded from the invoices when price history was introduced"


def migrate(cr, version):
    if not version:
        return
    today = date.today()
    _fees_and_blocks(cr, today)
    _lines(cr)
    _additions(cr, today)


def _insert(cr, rows):
    """rows: (agreement, addition, component, date, old, new, source, pending,
    note)."""
    for i in range(0, len(rows), BATCH):
        execute_values(
            cr,
            """
            INSERT INTO msp_agreement_price
                (agreement_id, addition_id, component, date, price_old,
                 price_new, source, pending, note, company_id, partner_id,
                 user_id, create_uid, write_uid, create_date, write_date)
            SELECT v.agreement_id, v.addition_id, v.component, v.date,
                   v.price_old, v.price_new, v.source, v.pending, v.note,
                   a.company_id, a.partner_id, 1, 1, 1,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM (VALUES %s) AS v(agreement_id, addition_id, component, date,
                                    price_old, price_new, source, pending, note)
              JOIN msp_agreement a ON a.id = v.agreement_id
            """,
            rows[i : i + BATCH],
            template=(
                "(%s::int, %s::int, %s, %s::date, %s::numeric, %s::numeric, %s, "
                "%s::bool, %s)"
            ),
            page_size=BATCH,
        )


def _fees_and_blocks(cr, today):
    for component, column in (("fee", "fixed_fee"), ("block", "block_price")):
        cr.execute(
            f"""
            INSERT INTO msp_agreement_price
                (agreement_id, component, date, price_old, price_new, source,
                 pending, note, company_id, partner_id, user_id, create_uid,
                 write_uid, create_date, write_date)
            SELECT a.id, %s, a.date_start, 0, a.{column}, 'initial', FALSE, %s,
                   a.company_id, a.partner_id, 1, 1, 1,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM msp_agreement a
             WHERE COALESCE(a.{column}, 0) != 0 AND a.date_start IS NOT NULL
               AND NOT EXISTS (
                   SELECT 1 FROM msp_agreement_price p
                    WHERE p.agreement_id = a.id AND p.component = %s)
            """,
            [component, NOTE, component],
        )
        _logger.info("msp_psa: %s initial %s prices logged", cr.rowcount, component)


def _lines(cr):
    """Fee and block lines billed one unit at the agreement's price."""
    for kind, column in (("fee", "fixed_fee"), ("block", "block_price")):
        cr.execute(
            f"""
            UPDATE account_move_line l
               SET msp_billed_quantity = 1, msp_unit_price = a.{column}
              FROM msp_agreement a
             WHERE l.msp_agreement_id = a.id AND l.msp_line_kind = %s
               AND COALESCE(l.msp_billed_quantity, 0) = 0
            """,
            [kind],
        )


def _additions(cr, today):
    # The price of each regular billed line (not a settlement: it starts in a
    # period its invoice billed), in date order, per addition.
    cr.execute(
        """
        SELECT ad.id, ad.agreement_id, ad.date_start, ad.price_unit,
               GREATEST(COALESCE(a.next_period_start, a.date_start), ad.date_start),
               l.start_date, l.msp_unit_price
          FROM msp_agreement_addition ad
          JOIN msp_agreement a ON a.id = ad.agreement_id
          LEFT JOIN (
                SELECT l.msp_addition_id, l.start_date, l.msp_unit_price, l.id
                  FROM account_move_line l
                  JOIN (SELECT move_id, MIN(date_start) AS first_start
                          FROM msp_agreement_period
                         WHERE move_id IS NOT NULL GROUP BY move_id) p
                    ON p.move_id = l.move_id
                 WHERE l.msp_line_kind = 'addition'
                   AND l.parent_state != 'cancel'
                   AND l.start_date >= p.first_start
                   AND l.msp_billed_quantity > 0
               ) l ON l.msp_addition_id = ad.id
         WHERE ad.recurrence IS NOT NULL AND ad.date_start IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM msp_agreement_price p
                            WHERE p.addition_id = ad.id)
         ORDER BY ad.id, l.start_date, l.id
        """
    )
    rows, current = [], None
    state = {}

    def close(state):
        if not state:
            return
        last = state["last"]
        if last is None:
            rows.append(_row(state, state["start"], 0.0, state["price"], False))
        elif round(last - state["price"], 6):
            day = state["next"]
            rows.append(_row(state, day, last, state["price"], day > today))

    while True:
        batch = cr.fetchmany(BATCH)
        if not batch:
            break
        for (
            addition_id,
            agreement_id,
            start,
            price,
            nxt,
            line_start,
            line_price,
        ) in batch:
            if addition_id != current:
                close(state)
                current = addition_id
                state = {
                    "addition": addition_id,
                    "agreement": agreement_id,
                    "start": start,
                    "price": float(price or 0.0),
                    "next": nxt,
                    "last": None,
                }
            if line_start is None:
                continue
            line_price = float(line_price or 0.0)
            if state["last"] is None:
                rows.append(_row(state, start, 0.0, line_price, False))
                state["last"] = line_price
            elif round(line_price - state["last"], 6):
                rows.append(_row(state, line_start, state["last"], line_price, False))
                state["last"] = line_price
    close(state)
    _insert(cr, rows)
    _logger.info("msp_psa: %s addition prices logged", len(rows))


def _row(state, day, old, new, pending):
    return (
        state["agreement"],
        state["addition"],
        "addition",
        day,
        old,
        new,
        "initial",
        pending,
        NOTE,
    )
