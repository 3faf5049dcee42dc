"""Webhook deliveries from the emulator, checked by the official SDK: a local receiver
(http.server in a thread, on 127.0.0.1) is subscribed through the API; real state changes (API
calls and /_emulator/inbound) and /_emulator/trigger produce deliveries; every delivery must pass
`client.webhooks.unwrap(body, headers=..., key=secret)` (Standard Webhooks signature, via the
`standardwebhooks` library) and validate strictly as the SDK's typed model of its event type."""
import importlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pydantic
import pytest

from conftest import ACME_CHAT, ACME_CHAT_2, ACME_LINE, ACME_LINE_2

GROUP_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000009"
CONTACT = "+15557770001"  # the contact of ACME_CHAT


class Receiver:
    """A webhook endpoint on loopback that records every delivery and answers `status(n)`, with the
    extra response headers `headers(n)`."""

    def __init__(self, status=lambda n: 200, headers=lambda n: {}):
        self.deliveries = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                with receiver.lock:
                    receiver.deliveries.append((self.path, dict(self.headers.items()), body))
                    n = len(receiver.deliveries)
                code = status(n)
                self.send_response(code)
                for name, value in headers(n).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.deliveries) >= count:
                    return list(self.deliveries)
            time.sleep(0.02)
        with self.lock:
            return list(self.deliveries)

    def types(self):
        with self.lock:
            return [json.loads(body)["event_type"] for _, _, body in self.deliveries]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def model_for(event_type):
    """The SDK's model class of an event type (`poll.vote.added` → PollVoteAddedWebhookEvent)."""
    module = importlib.import_module("linq.types." + event_type.replace(".", "_") + "_webhook_event")
    name = next(n for n in dir(module) if n.endswith("WebhookEvent"))
    return getattr(module, name)


def undeclared(value, path="data"):
    """Members of a parsed SDK model (recursively) that its model does not declare: the SDK's models
    allow extra members, so this is how a payload is held to `extra='forbid'`."""
    found = []
    if isinstance(value, pydantic.BaseModel):
        found += [f"{path}.{key}" for key in (value.model_extra or {})]
        for name in type(value).model_fields:
            found += undeclared(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found += undeclared(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += undeclared(item, f"{path}.{key}")
    return found


def check_delivery(client, secret, headers, body):
    """unwrap() must accept it, and the typed model must validate it strictly: every member of the
    payload is one the model declares."""
    event = client.webhooks.unwrap(body, headers=headers, key=secret)
    payload = json.loads(body)
    assert event.event_type == payload["event_type"] == headers["X-Webhook-Event"]
    assert headers["webhook-id"] == payload["event_id"]
    assert payload["api_version"] == "v3" and payload["partner_id"] == "partner-acme"
    if not payload["event_type"].startswith("call."):  # the SDK has no model for call events
        model = model_for(payload["event_type"])
        typed = model.model_validate(payload)
        assert not isinstance(typed.data, dict)
        extra = undeclared(typed.data)
        assert extra == [], f"{payload['event_type']}: members the SDK's model does not have: {extra}"
    return payload


ALL_TYPES = None


def all_types(client):
    global ALL_TYPES
    if ALL_TYPES is None:
        ALL_TYPES = client.webhook_events.list().events
    return ALL_TYPES


def test_state_changes_deliver_signed_typed_events(client, emu, receiver):
    subscription = client.webhook_subscriptions.create(
        target_url=receiver.url, subscribed_events=all_types(client))
    secret = subscription.signing_secret

    # Real state changes through the API.
    sent = client.chats.messages.send(ACME_CHAT, message={"parts": [{"type": "text", "value": "hello"}]})
    client.messages.add_reaction(sent.message.id, operation="add", type="love")
    client.messages.add_reaction(sent.message.id, operation="remove", type="love")
    client.messages.update(sent.message.id, text="hello (edited)")
    poll = client.chats.polls.create(GROUP_CHAT, poll={"options": [{"text": "Mon"}, {"text": "Tue"}]})
    extended = client.messages.poll.add_options(poll.message_id, options=[{"text": "Wed"}])
    client.messages.poll.vote(poll.message_id, operation="add", option_id=extended.poll.options[0].option_id)
    client.chats.update(GROUP_CHAT, display_name="Team", group_chat_icon="https://example.com/i.png")
    client.chats.participants.add(GROUP_CHAT, handle="new@example.com")
    client.chats.participants.remove(GROUP_CHAT, handle="new@example.com")
    client.chats.background.set(ACME_CHAT, type="dynamic", style="water", variant="dark")
    client.contact_card.create(first_name="Acme", phone_number=ACME_LINE_2)
    client.contact_card.update(phone_number=ACME_LINE_2, last_name="Support")
    created = client.chats.create(from_=ACME_LINE_2, to=["+15553334444"], message={"parts": [{"type": "text", "value": "hi"}]})
    assert created.chat.id
    line = client.phone_numbers.list().phone_numbers[0]
    client.phone_numbers.update(line.id, forwarding_number="+14155550100")
    client.webhook_subscriptions.update(subscription.id, phone_numbers=[ACME_LINE, ACME_LINE_2])

    # The other side acts.
    emu.control("POST", "/_emulator/inbound", {"from": CONTACT, "chat_id": ACME_CHAT, "typing": True})
    answer = emu.control("POST", "/_emulator/inbound", {
        "from": CONTACT, "chat_id": ACME_CHAT, "text": "hey!", "media_url": "https://example.com/cat.jpg",
        "typing": False})
    assert answer["message"]["parts"][0]["value"] == "hey!"
    assert "message.received" in answer["events"]
    emu.control("POST", "/_emulator/inbound", {
        "from": CONTACT, "chat_id": ACME_CHAT, "reaction": {"message_id": sent.message.id, "type": "laugh"},
        "read": True})
    emu.control("POST", "/_emulator/inbound", {
        "from": "+15557770011", "chat_id": GROUP_CHAT,
        "poll_vote": {"message_id": poll.message_id, "option_id": extended.poll.options[1].option_id}})
    emu.control("POST", "/_emulator/inbound", {
        "from": CONTACT, "chat_id": ACME_CHAT, "contact_card": {"first_name": "Pat", "last_name": "Doe"},
        "location": True})
    client.chats.location.stop(ACME_CHAT, handle=CONTACT)

    expected = {
        "message.sent", "message.delivered", "message.edited", "reaction.added", "reaction.removed",
        "poll.sent", "poll.delivered", "poll.updated", "poll.vote.added", "chat.group_name_updated",
        "chat.group_icon_updated", "participant.added", "participant.removed", "chat.background_updated",
        "contact_card.created", "contact_card.updated", "chat.created", "phone_number.forwarding_updated",
        "webhook_subscription.created", "webhook_subscription.phone_numbers.updated",
        "chat.typing_indicator.started", "chat.typing_indicator.stopped", "message.received", "message.read",
        "contact_card.received", "location.sharing.started", "location.sharing.stopped",
    }
    deadline = time.time() + 15
    while not expected <= set(receiver.types()) and time.time() < deadline:
        time.sleep(0.05)
    assert expected - set(receiver.types()) == set()
    assert len(expected) >= 20
    for _, headers, body in receiver.wait_for(0):
        check_delivery(client, secret, headers, body)


def test_payment_flows_deliver_strictly_typed_events(client, emu, receiver):
    payment_types = ["payment.succeeded", "payment.canceled", "payment.expired", "payment.declined",
                     "payment.authorized", "connection.created", "connection.revoked"]
    subscription = client.webhook_subscriptions.create(target_url=receiver.url, subscribed_events=payment_types)

    # A handle connection: connect (nothing yet), verify → connection.created, revoke → connection.revoked.
    pending = client.payment_handles.connect("pat@example.com")
    client.payment_handles.verify("pat@example.com", code="123456", connect_id=pending.connect_id)
    client.payment_handles.revoke("pat@example.com")
    # An agent payment: minted → payment.authorized, canceled → payment.canceled.
    payment = client.payments.create(amount_cents=1999, currency="usd", handle=CONTACT, description="Sneakers")
    client.payments.cancel(payment.id)
    # A payment request canceled, and one that runs out (stored, with its event, by the next write).
    canceled = client.payment_requests.create(amount=2500, currency="usd", description="Dinner")
    client.payment_requests.cancel(canceled.id)
    expiring = client.payment_requests.create(amount=100, currency="usd")
    emu.advance(86_401)
    assert client.payment_requests.retrieve(expiring.id).status == "expired"
    client.chats.mark_as_read(ACME_CHAT)

    expected = ["connection.created", "connection.revoked", "payment.authorized", "payment.canceled",
                "payment.canceled", "payment.expired", "payment.expired"]  # + the seeded request expiring
    deliveries = receiver.wait_for(len(expected))
    assert sorted(receiver.types()) == sorted(expected)
    payloads = [check_delivery(client, subscription.signing_secret, h, b) for _, h, b in deliveries]
    by_id = {(p["event_type"], p["data"]["id"]): p["data"] for p in payloads}
    assert by_id[("payment.authorized", payment.id)]["amount"] == 1999
    assert by_id[("payment.canceled", canceled.id)]["status"] == "canceled"
    assert "expires_at" not in by_id[("payment.canceled", canceled.id)]
    assert by_id[("payment.expired", expiring.id)]["status"] == "expired"
    connection = [p["data"] for p in payloads if p["event_type"].startswith("connection.")]
    assert [c["metadata"]["handle"] for c in connection] == ["pat@example.com"] * 2


def test_every_event_type_can_be_triggered_and_parses(client, emu, receiver):
    types = all_types(client)
    assert len(types) == 75
    subscription = client.webhook_subscriptions.create(target_url=receiver.url, subscribed_events=types)
    for event_type in types:
        answer = emu.control("POST", "/_emulator/trigger", {"event": event_type, "partner_id": "partner-acme"})
        # (the seeded subscription to hooks.acme.example takes message.* events too)
        assert answer["event"] == event_type and answer["deliveries"] >= 1
    deliveries = receiver.wait_for(len(types) + 1)  # + webhook_subscription.created of the subscribe
    seen = set()
    for _, headers, body in deliveries:
        seen.add(check_delivery(client, subscription.signing_secret, headers, body)["event_type"])
    assert seen == set(types)


def test_legacy_version_payload_unwraps(client, emu, receiver):
    subscription = client.webhook_subscriptions.create(
        target_url=receiver.url + "?version=2025-01-01", subscribed_events=["message.received", "message.edited"])
    emu.control("POST", "/_emulator/inbound", {"from": CONTACT, "to": ACME_LINE, "text": "old school"})
    sent = client.chats.messages.send(ACME_CHAT, message={"parts": [{"type": "text", "value": "x"}]})
    client.messages.update(sent.message.id, text="y")  # message.edited: not for 2025-01-01
    (path, headers, body), = receiver.wait_for(1)
    time.sleep(0.3)
    assert len(receiver.wait_for(0)) == 1
    event = client.webhooks.unwrap(body, headers=headers, key=subscription.signing_secret)
    payload = json.loads(body)
    assert payload["webhook_version"] == "2025-01-01" and path == "/hooks?version=2025-01-01"
    assert payload["data"]["chat_id"] == ACME_CHAT and payload["data"]["message"]["parts"][0]["value"] == "old school"
    assert event.event_type == "message.received"


def test_the_routing_token_of_a_2xx_is_sent_back_for_that_chat(client, emu):
    routed = Receiver(headers=lambda n: {"X-Route": "cluster-7"} if n == 1 else {})
    try:
        client.webhook_subscriptions.create(target_url=routed.url, subscribed_events=["message.sent"],
                                            routing_key_header="X-Route")
        for chat in (ACME_CHAT, ACME_CHAT, ACME_CHAT_2):
            client.chats.messages.send(chat, message={"parts": [{"type": "text", "value": "hi"}]})
        deliveries = routed.wait_for(3)
        assert [(h.get("Linq-Chat-Id"), h.get("X-Route")) for _, h, _ in deliveries] == [
            (ACME_CHAT, None), (ACME_CHAT, "cluster-7"), (ACME_CHAT_2, None)]
    finally:
        routed.close()


def test_retries_follow_the_emulated_clock_and_4xx_is_permanent(client, emu):
    flaky = Receiver(status=lambda n: 500 if n <= 2 else 200)
    broken = Receiver(status=lambda n: 410)
    try:
        a = client.webhook_subscriptions.create(target_url=flaky.url, subscribed_events=["message.received"])
        client.webhook_subscriptions.create(target_url=broken.url, subscribed_events=["message.received"])
        emu.control("POST", "/_emulator/trigger", {"event": "message.received"})
        assert len(flaky.wait_for(1)) == 1 and len(broken.wait_for(1)) == 1
        time.sleep(0.3)
        assert len(flaky.wait_for(0)) == 1  # no retry until the clock moves
        emu.advance(5)
        flaky.wait_for(2)
        emu.advance(10)
        deliveries = flaky.wait_for(3)
        assert len(deliveries) == 3
        assert len({h["webhook-id"] for _, h, _ in deliveries}) == 1
        for _, headers, body in deliveries:
            client.webhooks.unwrap(body, headers=headers, key=a.signing_secret)
        emu.advance(3600)
        time.sleep(0.3)
        assert len(broken.wait_for(0)) == 1
        attempts = emu.control("GET", "/_emulator/deliveries?event_type=message.received")["deliveries"]
        mine = [d for d in attempts if d["url"] == flaky.url]
        assert [(d["attempt"], d["status"], d["outcome"]) for d in mine] == [
            (1, 500, "retrying"), (2, 500, "retrying"), (3, 200, "delivered")]
        assert [(d["status"], d["outcome"]) for d in attempts if d["url"] == broken.url] == [(410, "failed")]
        assert [d["error_code"] for d in attempts if d["url"] == broken.url] == [4003]
        assert [d["error_code"] for d in mine] == [None, None, None]
    finally:
        flaky.close()
        broken.close()
