"""Every catalog operation through the official SDK, against the emulator: its answer, as the emulator
sent it, must (a) validate as the SDK's model of that method's return type, strictly (no member the
model lacks), and (b) conform to the catalog's response shape (`linq --check-shape`, the shapes the
shell checks real answers against). The SDK method and its argument names come from the generated
SDK method table (Sources/LinqShell/Script/SDKNames+Data.swift), whether there is a body from the
generated shapes (Sources/LinqCore/Shapes/ResponseShapes+Data.swift), so calling them checks that data
too. Operations the SDK types as returning None must answer with no body."""
import json
import os
import re
import subprocess
import typing

import pytest

from conftest import ACME_CHAT, ACME_CHAT_2, ACME_LINE, ACME_LINE_2, ACME_LINE_3
from test_webhooks_delivery import undeclared

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHAPES = os.path.join(ROOT, "Sources", "LinqCore", "Shapes", "ResponseShapes+Data.swift")
METHODS = os.path.join(ROOT, "Sources", "LinqShell", "Script", "SDKNames+Data.swift")

GROUP_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000009"
MESSAGE_1 = "3e55a9e0-0001-4000-8000-000000000001"
POLL = "3e55a9e0-0002-4000-8000-000000000009"
STICKER = "4ea00000-0001-4000-8000-000000000001"
ATTACHMENT = "a77ac400-0001-4000-8000-000000000001"
AUDIT = "a0d10000-0001-4000-8000-000000000001"
BLOCKED = "+15550000666"
LINE_ID = "5e1f0000-0000-4000-8000-000000000001"
SUBSCRIPTION = "5ab5c000-0001-4000-8000-000000000001"
PAYMENT_REQUEST = "9a7e0000-0001-4000-8000-000000000001"
PAYMENT = "9a7e0000-0002-4000-8000-000000000001"
CONNECTED_HANDLE = "+15557770001"


def load_operations():
    """Operation id → {"python": SDK method path, "args": its Python argument names, "response": the
    shape of its success body, None when it answers with none}."""
    with open(SHAPES, encoding="utf-8") as f:
        text = f.read()
    responses = json.loads(text.split('#"""\n', 1)[1].rsplit('"""#', 1)[0])["responses"]
    with open(METHODS, encoding="utf-8") as f:
        table = f.read()
    entries = re.findall(r'^        "([^"]+)": SDKMethod\(\s*"([^"]+)",(.*?)(?=^        "|^    \])', table, re.S | re.M)
    assert {op_id for op_id, _, _ in entries} == set(responses)
    return {op_id: {"python": python, "args": re.findall(r'SDKArgument\("(\w+)"', body), "response": responses[op_id]}
            for op_id, python, body in entries}


OPERATIONS = load_operations()


def text(value):
    return {"parts": [{"type": "text", "value": value}]}


def app_card(client):
    return client.chats.messages.send(ACME_CHAT, message={"parts": [{
        "type": "imessage_app", "app": {"bundle_id": "com.acme.game", "name": "Game", "team_id": "ABCDE12345"},
        "layout": {"caption": "Your move"}, "url": "https://acme.com/g/1"}]}).message.id


def poll_option(client):
    return client.messages.poll.retrieve(POLL).poll.options[0].option_id


def pending_connection(client):
    return client.payment_handles.connect("+15550009999").connect_id


# Operation id → (which client, the Python SDK's keyword arguments); a function of the clients for the
# operations that need something made first. Every catalog operation is here (a test checks).
CALLS = {
    "attachment.create": {"content_type": "image/png", "filename": "a.png", "size_bytes": 10},
    "attachment.get": {"attachment_id": ATTACHMENT},
    "attachment.delete": {"attachment_id": ATTACHMENT},
    "number.list": {},
    "number.update": {"phone_number_id": LINE_ID, "forwarding_number": "+14155550100"},
    "audit.start": {"phone_number": ACME_LINE_2},
    "audit.get": {"audit_id": AUDIT, "phone_number": ACME_LINE},
    "number.legacy-list": {},
    "number.available": {},
    "blocked.list": {},
    "blocked.add": {"handle": "spam@example.com", "reason": "spam"},
    "blocked.remove": {"handle": BLOCKED},
    "capability.check-imessage": {"address": "+15557770001"},
    "capability.check-rcs": {"address": "+15557770008", "from_": ACME_LINE_3},
    "chat.create": {"from_": ACME_LINE, "to": ["+15550001111"], "message": text("Hello")},
    "chat.list": {},
    "chat.get": {"chat_id": ACME_CHAT},
    "chat.update": {"chat_id": GROUP_CHAT, "display_name": "Team"},
    "chat.leave": {"chat_id": GROUP_CHAT},
    "chat.read": {"chat_id": ACME_CHAT},
    "chat.voicememo": {"chat_id": ACME_CHAT, "voice_memo_url": "https://example.com/memo.m4a"},
    "participant.add": {"chat_id": GROUP_CHAT, "handle": "+15557770099"},
    "participant.remove": {"chat_id": GROUP_CHAT, "handle": "+15557770012"},
    "typing.start": {"chat_id": ACME_CHAT},
    "typing.stop": {"chat_id": ACME_CHAT},
    "location.get": {"chat_id": ACME_CHAT},
    "location.request": {"chat_id": ACME_CHAT_2},
    "location.stop": {"chat_id": ACME_CHAT, "handle": "+15557770001"},
    "background.set": {"chat_id": ACME_CHAT, "type": "color", "variant": "mango"},
    "background.reset": {"chat_id": ACME_CHAT},
    "contactCard.create": {"first_name": "John", "last_name": "Doe", "phone_number": ACME_LINE},
    "contactCard.get": {},
    "contactCard.update": lambda c: (
        c.acme.contact_card.create(first_name="John", phone_number=ACME_LINE),
        {"phone_number": ACME_LINE, "first_name": "Johnny"})[1],
    "contactCard.share": lambda c: (
        c.acme.contact_card.create(first_name="John", phone_number=ACME_LINE), {"chat_id": ACME_CHAT})[1],
    "message.send": {"chat_id": ACME_CHAT, "message": text("hi")},
    "message.list": {"chat_id": ACME_CHAT},
    "message.create": {"to": ["+15557770001"], "message": text("hi")},
    "message.get": {"message_id": MESSAGE_1},
    "message.edit": lambda c: {
        "message_id": c.acme.chats.messages.send(ACME_CHAT, message=text("typo")).message.id, "text": "fixed"},
    "message.delete": {"message_id": MESSAGE_1},
    "message.thread": {"message_id": MESSAGE_1},
    "message.react": {"message_id": MESSAGE_1, "operation": "add", "type": "love"},
    "reaction.update": {"reaction_id": STICKER, "message_id": MESSAGE_1, "placement": {"x": 0.25}},
    "message.update-card": lambda c: {"message_id": app_card(c.acme), "layout": {"caption": "Their move"}},
    "poll.create": {"chat_id": GROUP_CHAT, "poll": {"options": [{"text": "Mon"}, {"text": "Tue"}]}},
    "poll.get": {"message_id": POLL},
    "poll.add-options": {"message_id": POLL, "options": [{"text": "Wed"}]},
    "poll.vote": lambda c: {"message_id": POLL, "operation": "add", "option_id": poll_option(c.acme)},
    "webhook.events": {},
    "webhook.create": {"target_url": "https://example.com/hook", "subscribed_events": ["message.sent"]},
    "webhook.list": {},
    "webhook.get": {"subscription_id": SUBSCRIPTION},
    "webhook.update": {"subscription_id": SUBSCRIPTION, "is_active": False},
    "webhook.delete": {"subscription_id": SUBSCRIPTION},
    "experience.list": {},
    "experience.get": {"experience": "agentpay"},
    "payment-request.create": {"amount": 2500, "currency": "usd", "description": "Dinner"},
    "payment-request.list": {},
    "payment-request.get": {"payment_request_id": PAYMENT_REQUEST},
    "payment-request.cancel": {"payment_request_id": PAYMENT_REQUEST},
    "provider.get": {"provider": "agentcard"},
    "provider.connect": ("globex", {"provider": "agentcard", "return_url": "https://globex.example/done"}),
    "payment-handle.connect": {"handle": "+15550009999"},
    "payment-handle.verify": lambda c: {
        "handle": "+15550009999", "code": "123456", "connect_id": pending_connection(c.acme)},
    "payment-handle.get": {"handle": CONNECTED_HANDLE},
    "payment-handle.disconnect": {"handle": CONNECTED_HANDLE},
    "payment.create": {"amount_cents": 1999, "currency": "usd", "handle": CONNECTED_HANDLE,
                       "merchant": {"name": "Shoe Co", "url": "https://shoe.example"}, "metadata": {"order": "7"}},
    "payment.get": {"payment_id": PAYMENT},
    "payment.cancel": {"payment_id": PAYMENT},
    "payment.credentials": {"payment_id": PAYMENT},
}


class Clients:
    def __init__(self, acme, globex):
        self.acme, self.globex = acme, globex


def resolve(root, path):
    for name in path.split("."):
        root = getattr(root, name)
    return root


def check_shape(operation_id, status, body):
    """`linq --check-shape`: (exit status, the deviations it printed, what it said on stderr)."""
    binary = os.environ.get("LINQ_BIN", ".build/debug/linq")
    done = subprocess.run([binary, "--check-shape", operation_id, str(status)], input=body,
                          capture_output=True, timeout=30)
    return done.returncode, done.stdout.decode().splitlines(), done.stderr.decode()


def test_every_catalog_operation_is_called():
    assert set(CALLS) == set(OPERATIONS)
    assert len(OPERATIONS) == 70


@pytest.mark.parametrize("operation_id", list(OPERATIONS))
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # GET /v3/phonenumbers is deprecated
def test_answer_validates_strictly_and_conforms_to_the_catalog_shape(operation_id, client, globex):
    operation = OPERATIONS[operation_id]
    clients = Clients(client, globex)
    call = CALLS[operation_id]
    which = "acme"
    if isinstance(call, tuple):
        which, call = call
    kwargs = call(clients) if callable(call) else call
    names = set(operation["args"])
    assert set(kwargs) <= names, f"arguments the data does not list for {operation['python']}: {set(kwargs) - names}"

    raw = resolve(getattr(clients, which).with_raw_response, operation["python"])(**kwargs)
    status, body = raw.status_code, raw.http_response.content
    assert 200 <= status < 300

    if operation["response"] is None:
        assert body == b"", f"{operation_id} answers {status} with a body the SDK does not expect"
        code, _, said = check_shape(operation_id, status, b"{}")
        assert code == 2 and "no shape known" in said
        return

    method = resolve(getattr(clients, which), operation["python"])
    model = typing.get_type_hints(method)["return"]
    typed = model.model_validate(json.loads(body))
    assert undeclared(typed, "body") == [], f"{operation_id}: members the SDK's model does not have"

    code, deviations, said = check_shape(operation_id, status, body)
    assert (code, deviations, said) == (0, [], ""), f"{operation_id}: {body.decode()}"


def test_check_shape_reports_a_deviation(client):
    body = client.chats.with_raw_response.list_chats().http_response.json()
    body["chats"][0]["service"] = "Carrier"
    del body["chats"][1]["id"]
    code, deviations, _ = check_shape("chat.list", 200, json.dumps(body).encode())
    assert code == 1
    assert deviations == ['chats[0].service "Carrier" is not one of iMessage, SMS, RCS',
                          "chats[1].id is missing (required)"]


def test_error_answers_conform_to_the_documented_envelope(client):
    raw = client.chats.with_raw_response.retrieve
    try:
        raw("7b3c3a10-0001-4c2e-9a51-0000000000ff")
    except Exception as error:  # the SDK raises NotFoundError with the response
        response = error.response
    assert response.status_code == 404
    assert check_shape("chat.get", 404, response.content) == (0, [], "")
