"""A community agent cannot take over a producer's payouts (issue 10, point 8): the exact attack, and each guard."""

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from marketplace.agents import service as agents
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantReview
from marketplace.payments import service as payments
from marketplace.payments.models import PayoutForm
from marketplace.payments.providers.protocol import BankAccount
from marketplace.platform.audit import list_audit_log
from marketplace.platform.errors import AppError, Forbidden
from tests.marketplace.agents.test_assisted_onboarding import assisted_form
from tests.marketplace.factories import make_admin, make_agent, make_user

ATTACKER_ACCOUNT = BankAccount(bank_bin="970436", account_number="9999888877", account_name="KE GIAN")


async def test_the_reported_attack_fails_at_every_step(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, assisted_form())
    # 1. He approves it himself: refused, a second person must.
    with pytest.raises(Forbidden) as refused:
        await merchants.review_merchant(conn, agent, merchant.id, MerchantReview(True))
    assert refused.value.code == "second_person_required"
    await merchants.review_merchant(conn, await make_admin(conn), merchant.id, MerchantReview(True))
    # 2. He issues a takeover code and redeems it with his own account: refused.
    code = await agents.create_takeover_code(conn, agent, merchant.id)
    with pytest.raises(Forbidden) as refused:
        await agents.redeem_takeover_code(conn, agent, code.code)
    assert refused.value.code == "agent_cannot_redeem"
    # 3. Nor with a second agent account of an accomplice.
    with pytest.raises(Forbidden):
        await agents.redeem_takeover_code(conn, await make_agent(conn), code.code)
    # 4. While he assists, he cannot set the payout account either (refused before this issue, still so).
    with pytest.raises(AppError):
        await payments.set_bank_account(conn, agent, merchant.id, ATTACKER_ACCOUNT)
    # The code is still good for the producer.
    producer = await make_user(conn, name="Hoa")
    taken = await agents.redeem_takeover_code(conn, producer, code.code)
    assert taken.owner_user_id == producer.user_id


async def test_a_takeover_code_is_not_redeemed_by_whoever_issued_it(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, assisted_form())
    code = await agents.create_takeover_code(conn, agent, merchant.id)
    # The agent loses the role (an admin revoked it) but still issued the code and assisted the producer.
    await conn.execute("UPDATE users SET roles = ARRAY['customer'] WHERE id = $1", agent.user_id)
    from marketplace.platform.access import SystemActor
    with pytest.raises(Forbidden):
        await agents.redeem_takeover_code(conn, SystemActor(agent.user_id, frozenset({"customer"})), code.code)


async def test_bank_account_change_is_logged_notified_and_holds_payouts(conn: asyncpg.Connection) -> None:
    agent = await make_agent(conn)
    merchant = await agents.register_assisted_merchant(conn, agent, assisted_form())
    admin = await make_admin(conn)
    await merchants.review_merchant(conn, admin, merchant.id, MerchantReview(True))
    producer = await make_user(conn, name="Hoa")
    await agents.redeem_takeover_code(conn, producer, (await agents.create_takeover_code(conn, agent,
                                                                                         merchant.id)).code)
    await payments.set_bank_account(conn, producer, merchant.id, ATTACKER_ACCOUNT)
    entry = (await list_audit_log(conn, producer, merchant.id))[0]
    assert entry.action == "payments.bank_account_changed"
    assert entry.details["new"] == {"bank_bin": "970436", "account_number": "…8877"}
    assert entry.details["notify"]["phone"] == "0987654321" and entry.details["notify"]["email"]
    held_until = datetime.fromisoformat(entry.details["payouts_held_until"])
    assert timedelta(hours=71) < held_until - datetime.now(UTC) <= timedelta(hours=72)
    notice = await conn.fetchrow("SELECT user_id, data FROM notifications WHERE kind = 'merchant_bank_account_changed'"
                                 " ORDER BY id DESC LIMIT 1")
    assert notice["user_id"] == producer.user_id and notice["data"]["last4"] == "8877"
    with pytest.raises(AppError) as refused:
        await payments.record_payout(conn, admin, PayoutForm(merchant_id=merchant.id, amount=10_000))
    assert refused.value.code == "payouts_held" and refused.value.status_code == 409
    # 72 hours later (the change moved back in time), payouts go through.
    await conn.execute("UPDATE merchant_bank_accounts SET updated_at = now() - interval '73 hours' "
                       "WHERE merchant_id = $1", merchant.id)
    payout = await payments.record_payout(conn, admin, PayoutForm(merchant_id=merchant.id, amount=10_000))
    assert payout.amount == 10_000
