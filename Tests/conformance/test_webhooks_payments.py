"""Webhook events and subscriptions, experiences, payment requests and agent payments, as the
official SDK sees them (each endpoint's success path and at least one documented error)."""
import base64

import linq
import pytest
from linq.types import (
    Payment,
    PaymentHandleConnection,
    PaymentProvider,
    PaymentRequest,
    WebhookSubscription,
)
from linq.types.experience_list_response import ExperienceListResponse
from linq.types.experience_retrieve_response import ExperienceRetrieveResponse
from linq.types.payment_credentials_response import PaymentCredentialsResponse
from linq.types.payment_provider_connect_response import PaymentProviderConnectResponse
from linq.types.payment_request_list_response import PaymentRequestListResponse
from linq.types.webhook_event_list_response import WebhookEventListResponse
from linq.types.webhook_subscription_create_response import WebhookSubscriptionCreateResponse
from linq.types.webhook_subscription_list_response import WebhookSubscriptionListResponse

from conftest import ACME_LINE, ACME_LINE_2, GLOBEX_LINE

SEED_SUBSCRIPTION = "5ab5c000-0001-4000-8000-000000000001"
SEED_PAYMENT_REQUEST = "9a7e0000-0001-4000-8000-000000000001"
SEED_PAYMENT = "9a7e0000-0002-4000-8000-000000000001"
CONNECTED_HANDLE = "+15557770001"
CODE = "123456"


# Webhook events and subscriptions

def test_webhook_events_list(client):
    events = client.webhook_events.list()
    assert isinstance(events, WebhookEventListResponse)
    assert len(events.events) == 75 == len(set(events.events))
    assert "message.received" in events.events and "team_member.signed_out" in events.events
    assert events.doc_url == "https://docs.linqapp.com/channel/imessage/guides/webhooks/events"


def test_subscription_lifecycle(client):
    created = client.webhook_subscriptions.create(
        target_url="https://example.com/linq?version=2026-02-03",
        subscribed_events=["message.received", "message.sent"],
        phone_numbers=[ACME_LINE], routing_key_header="X-Route")
    assert isinstance(created, WebhookSubscriptionCreateResponse)
    assert created.signing_secret.startswith("whsec_")
    assert len(base64.b64decode(created.signing_secret[len("whsec_"):], validate=True)) == 32
    assert created.is_active is True
    assert created.phone_numbers == [ACME_LINE]
    assert (created.routing_key_header, created.routing_id_header) == ("X-Route", "Linq-Chat-Id")

    listed = client.webhook_subscriptions.list()
    assert isinstance(listed, WebhookSubscriptionListResponse)
    assert [s.id for s in listed.subscriptions] == [SEED_SUBSCRIPTION, created.id]

    raw = client.webhook_subscriptions.with_raw_response.retrieve(created.id)
    assert "signing_secret" not in raw.http_response.json(), "the secret is shown only on create"
    fetched = raw.parse()
    assert isinstance(fetched, WebhookSubscription)
    assert fetched.target_url == created.target_url
    assert fetched.subscribed_events == ["message.received", "message.sent"]

    updated = client.webhook_subscriptions.update(
        created.id, is_active=False, phone_numbers=[], subscribed_events=["chat.created"],
        routing_key_header=None)
    assert isinstance(updated, WebhookSubscription)
    assert updated.is_active is False
    assert updated.phone_numbers is None
    assert updated.subscribed_events == ["chat.created"]
    assert updated.routing_key_header is None and updated.routing_id_header is None
    assert updated.updated_at >= created.updated_at

    assert client.webhook_subscriptions.delete(created.id) is None
    with pytest.raises(linq.NotFoundError) as caught:
        client.webhook_subscriptions.retrieve(created.id)
    assert caught.value.code == 2010
    assert caught.value.body["message"] == "Webhook subscription not found"


def test_subscription_create_errors(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.webhook_subscriptions.create(target_url="http://example.com/hook",
                                            subscribed_events=["message.sent"])
    assert caught.value.code == 1005
    with pytest.raises(linq.BadRequestError) as caught:
        client.webhook_subscriptions.create(target_url="https://example.com/hook",
                                            subscribed_events=["message.teleported"])
    assert caught.value.code == 1005
    for version in ("2099-01-01", "2025-13-45"):
        with pytest.raises(linq.BadRequestError) as caught:
            client.webhook_subscriptions.create(target_url="https://example.com/hook?version=" + version,
                                                subscribed_events=["message.sent"])
        assert caught.value.code == 1005
        assert "2025-01-01 or 2026-02-03" in caught.value.body["message"]
    with pytest.raises(linq.PermissionDeniedError) as caught:
        client.webhook_subscriptions.create(target_url="https://example.com/hook",
                                            subscribed_events=["message.sent"], phone_numbers=[GLOBEX_LINE])
    assert caught.value.code == 2006
    with pytest.raises(linq.ConflictError) as caught:
        client.webhook_subscriptions.create(target_url="https://hooks.acme.example/linq",
                                            subscribed_events=["message.sent"])
    assert caught.value.code == 2015


def test_subscription_update_and_delete_errors(client, globex):
    with pytest.raises(linq.NotFoundError) as caught:
        globex.webhook_subscriptions.update(SEED_SUBSCRIPTION, is_active=False)
    assert caught.value.code == 2010
    with pytest.raises(linq.NotFoundError) as caught:
        globex.webhook_subscriptions.delete(SEED_SUBSCRIPTION)
    assert caught.value.code == 2010
    with pytest.raises(linq.BadRequestError) as caught:
        client.webhook_subscriptions.update(SEED_SUBSCRIPTION, phone_numbers=["555-0100"])
    assert caught.value.code == 1002
    assert client.webhook_subscriptions.update(SEED_SUBSCRIPTION, phone_numbers=[ACME_LINE_2]).phone_numbers == [
        ACME_LINE_2]


# Experiences

def test_experiences(client):
    listed = client.experiences.list()
    assert isinstance(listed, ExperienceListResponse)
    assert [e.experience for e in listed.experiences] == ["agentpay", "agentcard", "link"]
    agentpay = client.experiences.retrieve("agentpay")
    assert isinstance(agentpay, ExperienceRetrieveResponse)
    action = agentpay.actions[0]
    assert action.name == "request_payment"
    assert action.fields["checkout_url"].type == "url" and action.fields["checkout_url"].required is True
    assert set(action.fields) == {"checkout_url", "title", "note"}
    assert [a.name for a in client.experiences.retrieve("agentcard").actions] == ["attach_card", "approve_card"]
    with pytest.raises(linq.NotFoundError) as caught:
        client.experiences.retrieve("teleport")
    assert caught.value.code == 2001


# Payment requests

def test_payment_request_create_retrieve_cancel(client):
    created = client.payment_requests.create(amount=2500, currency="usd", description="Dinner",
                                             metadata={"chat_id": "abc"}, idempotency_key="order-1")
    assert isinstance(created, PaymentRequest)
    assert (created.status, created.amount, created.currency, created.mode) == ("requested", 2500, "usd", "payment")
    assert created.checkout_url.startswith("https://zero.linqapp.com/pay/acme?session=")
    assert created.metadata == {"chat_id": "abc"}
    assert created.paid_at is None and created.expires_at > created.created_at
    again = client.payment_requests.create(amount=2500, currency="usd", idempotency_key="order-1")
    assert again.id == created.id

    assert client.payment_requests.retrieve(created.id).description == "Dinner"
    canceled = client.payment_requests.cancel(created.id)
    assert canceled.status == "canceled"
    with pytest.raises(linq.ConflictError) as caught:
        client.payment_requests.cancel(created.id)
    assert caught.value.code == 2015


def test_payment_request_subscription_mode(client):
    created = client.payment_requests.create(mode="subscription", price_id="price_monthly", quantity=1,
                                             discount={"coupon": "HALF", "label": "50% OFF FIRST MONTH"})
    assert created.mode == "subscription" and created.price_id == "price_monthly"
    assert created.discount.coupon == "HALF"
    assert created.stripe.subscription_id.startswith("sub_")
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_requests.create(mode="subscription")
    assert caught.value.code == 1001


def test_payment_request_create_errors(client, globex):
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_requests.create(amount=49, currency="usd")
    assert caught.value.code == 1005
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_requests.create(amount=100, currency="eur")
    assert caught.value.code == 1005
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_requests.create(amount=100, currency="usd", metadata={"linq_id": "x"})
    assert caught.value.code == 1005
    with pytest.raises(linq.PermissionDeniedError) as caught:
        globex.payment_requests.create(amount=100, currency="usd")
    assert caught.value.code == 2011


def test_payment_request_list_paginates_newest_first(client, globex):
    ids = [client.payment_requests.create(amount=100 + i, currency="usd").id for i in range(3)]
    page = client.payment_requests.list(limit=2)
    assert isinstance(page, PaymentRequestListResponse)
    assert page.object == "list"
    assert [r.id for r in page.data] == [ids[2], ids[1]] and page.has_more is True
    rest = client.payment_requests.list(limit=2, offset=2)
    assert [r.id for r in rest.data] == [ids[0], SEED_PAYMENT_REQUEST] and rest.has_more is False
    assert [r.id for r in client.payment_requests.list(status="requested").data][-1] == SEED_PAYMENT_REQUEST
    assert client.payment_requests.list(status="canceled").data == []
    assert globex.payment_requests.list().data == []
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_requests.list(limit=500)
    assert caught.value.code == 1005


def test_payment_request_of_another_partner_is_not_found(client, globex):
    assert client.payment_requests.retrieve(SEED_PAYMENT_REQUEST).status == "requested"
    with pytest.raises(linq.NotFoundError) as caught:
        globex.payment_requests.retrieve(SEED_PAYMENT_REQUEST)
    assert caught.value.code == 2021
    assert caught.value.body["message"] == "Payment request not found"
    with pytest.raises(linq.NotFoundError):
        globex.payment_requests.cancel(SEED_PAYMENT_REQUEST)


def test_payment_request_expires(client, emu):
    created = client.payment_requests.create(amount=100, currency="usd")
    emu.advance(86_401)
    assert client.payment_requests.retrieve(created.id).status == "expired"
    with pytest.raises(linq.ConflictError):
        client.payment_requests.cancel(created.id)


# Agent payments: providers, handles, payments

def test_payment_providers(client, globex):
    ready = client.payment_providers.retrieve("agentcard")
    assert isinstance(ready, PaymentProvider)
    assert (ready.provider, ready.status) == ("agentcard", "ready")
    assert globex.payment_providers.retrieve("agentcard").status == "disabled"
    session = globex.payment_providers.connect("agentcard", return_url="https://globex.example/done")
    assert isinstance(session, PaymentProviderConnectResponse)
    assert session.hosted_url.startswith("https://") and session.session_id
    assert session.status == "onboarding"
    assert globex.payment_providers.retrieve("agentcard").status == "onboarding"
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_providers.connect("agentcard", return_url="not a url")
    assert caught.value.code == 1005
    with pytest.raises(linq.NotFoundError):
        client.payment_providers.retrieve("paypal")


@pytest.mark.parametrize("handle", ["+15557770042", "pat@example.com"])
def test_handle_ceremony_with_literal_plus_and_at(client, emu, handle):
    assert client.payment_handles.connection(handle).status == "not_connected"
    pending = client.payment_handles.connect(handle)
    assert isinstance(pending, PaymentHandleConnection)
    assert (pending.handle, pending.status) == (handle, "pending") and pending.connect_id
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_handles.verify(handle, code=CODE, connect_id="not-the-one")
    assert caught.value.code == 1005
    connected = client.payment_handles.verify(handle, code=CODE, connect_id=pending.connect_id)
    assert (connected.handle, connected.status, connected.connect_id) == (handle, "connected", None)
    assert client.payment_handles.connection(handle).status == "connected"
    assert client.payment_handles.revoke(handle).status == "revoked"
    assert client.payment_handles.connection(handle).status == "revoked"
    paths = [r["path"] for r in emu.control("GET", "/_emulator/requests")["recent"]]
    assert f"/v3/payments/handles/{handle}/connection" in paths, "the handle reached the emulator intact"


def test_handle_errors(client, globex):
    with pytest.raises(linq.PermissionDeniedError) as caught:
        globex.payment_handles.connect(CONNECTED_HANDLE)
    assert caught.value.code == 2011
    with pytest.raises(linq.BadRequestError) as caught:
        client.payment_handles.connection("5551234")
    assert caught.value.code == 1002


def test_payment_ready_credentials_cancel(client):
    seeded = client.payments.retrieve(SEED_PAYMENT)
    assert isinstance(seeded, Payment)
    assert (seeded.status, seeded.handle) == ("ready", CONNECTED_HANDLE)

    payment = client.payments.create(amount_cents=1999, currency="usd", handle=CONNECTED_HANDLE,
                                     description="Sneakers", merchant={"name": "Shoe Co", "url": "https://shoe.example"},
                                     metadata={"order": "7"})
    assert isinstance(payment, Payment)
    assert payment.status == "ready" and payment.id
    assert (payment.amount_cents, payment.currency, payment.merchant.name) == (1999, "usd", "Shoe Co")
    assert payment.metadata == {"order": "7"}

    credentials = client.payments.credentials(payment.id)
    assert isinstance(credentials, PaymentCredentialsResponse)
    assert credentials.handoff.provider == "agentcard"
    assert credentials.handoff.fetch_url.startswith("https://")
    assert credentials.handoff.user_token and credentials.handoff.card_ref

    assert client.payments.cancel(payment.id).status == "canceled"
    with pytest.raises(linq.ConflictError) as caught:
        client.payments.credentials(payment.id)
    assert caught.value.code == 2015
    with pytest.raises(linq.ConflictError) as caught:
        client.payments.cancel(payment.id)
    assert caught.value.code == 2015


def test_payment_needs_connection_then_idempotent_retry_advances(client):
    handle = "sam@example.com"
    key = {"Idempotency-Key": "buy-42"}
    first = client.payments.create(amount_cents=500, currency="usd", handle=handle, extra_headers=key)
    assert first.status == "needs_connection" and first.id is None
    pending = client.payment_handles.connect(handle)
    client.payment_handles.verify(handle, code=CODE, connect_id=pending.connect_id)
    second = client.payments.create(amount_cents=500, currency="usd", handle=handle, extra_headers=key)
    assert second.status == "ready" and second.id
    assert client.payments.create(amount_cents=500, currency="usd", handle=handle, extra_headers=key).id == second.id


def test_payment_errors(client, globex):
    with pytest.raises(linq.NotFoundError) as caught:
        globex.payments.retrieve(SEED_PAYMENT)
    assert caught.value.code == 2001
    with pytest.raises(linq.PermissionDeniedError) as caught:
        globex.payments.create(amount_cents=100, currency="usd", handle=CONNECTED_HANDLE)
    assert caught.value.code == 2011
    with pytest.raises(linq.BadRequestError) as caught:
        client.payments.create(amount_cents=0, currency="usd", handle=CONNECTED_HANDLE)
    assert caught.value.code == 1005
