"""Attachments, phone numbers, available number, blocked handles and capability checks, as the
official SDK sees them (each endpoint's success and at least one documented error)."""
import httpx
import linq
import pytest
from linq.types import (
    AttachmentCreateResponse,
    AttachmentRetrieveResponse,
    AvailableNumberRetrieveResponse,
    BlockedHandleBlockResponse,
    BlockedHandleListResponse,
    HandleCheckResponse,
    PhoneNumberListResponse,
    PhoneNumberUpdateResponse,
    PhonenumberListResponse,
    ReputationAudit,
    ReputationAuditStarted,
)

from conftest import ACME_CHAT, ACME_LINE, ACME_LINE_2, ACME_LINE_3, GLOBEX_LINE

SEED_ATTACHMENT = "a77ac400-0001-4000-8000-000000000001"
SEED_AUDIT = "a0d10000-0001-4000-8000-000000000001"
SEED_BLOCKED = "+15550000666"
ACME_LINE_ID = "5e1f0000-0000-4000-8000-000000000001"


# Attachments

def test_attachment_create_upload_retrieve_delete(client):
    data = b"\x89PNG fake image bytes"
    created = client.attachments.create(filename="photo.png", content_type="image/png", size_bytes=len(data))
    assert isinstance(created, AttachmentCreateResponse)
    assert created.http_method == "PUT"
    assert created.required_headers == {"Content-Type": "image/png"}
    assert created.download_url.startswith("https://cdn.linqapp.com/attachments/partners/")
    assert created.download_url.endswith(f"/{created.attachment_id}/photo.png")
    assert created.expires_at.tzinfo is not None

    pending = client.attachments.retrieve(created.attachment_id)
    assert pending.status == "pending"

    put = httpx.put(created.upload_url, headers=created.required_headers, content=data)
    assert put.status_code == 200

    got = client.attachments.retrieve(created.attachment_id)
    assert isinstance(got, AttachmentRetrieveResponse)
    assert (got.id, got.filename, got.content_type, got.size_bytes, got.status) == (
        created.attachment_id, "photo.png", "image/png", len(data), "complete")
    assert got.download_url == created.download_url

    assert client.attachments.delete(created.attachment_id) is None
    with pytest.raises(linq.NotFoundError) as caught:
        client.attachments.retrieve(created.attachment_id)
    assert caught.value.code == 2003


def test_an_integral_float_size_is_accepted(client):
    created = client.attachments.create(filename="a.txt", content_type="text/plain", size_bytes=145.0)
    assert client.attachments.retrieve(created.attachment_id).size_bytes == 145
    with pytest.raises(linq.BadRequestError) as caught:
        client.attachments.create(filename="a.txt", content_type="text/plain", size_bytes=145.5)
    assert caught.value.code == 1003


def test_upload_with_wrong_size_type_or_token_is_rejected(client):
    created = client.attachments.create(filename="a.txt", content_type="text/plain", size_bytes=4)
    assert httpx.put(created.upload_url, headers=created.required_headers, content=b"abc").status_code == 400
    assert httpx.put(created.upload_url, headers={"Content-Type": "text/html"}, content=b"abcd").status_code == 403
    forged = created.upload_url.split("?")[0] + "?token=forged"
    assert httpx.put(forged, headers=created.required_headers, content=b"abcd").status_code == 403
    assert client.attachments.retrieve(created.attachment_id).status == "pending"


def test_upload_url_expires_after_15_minutes(client, emu):
    created = client.attachments.create(filename="a.txt", content_type="text/plain", size_bytes=4)
    emu.advance(901)
    assert httpx.put(created.upload_url, headers=created.required_headers, content=b"abcd").status_code == 403


def test_attachment_errors(client, globex):
    with pytest.raises(linq.BadRequestError) as caught:
        client.attachments.create(filename="a.webp", content_type="image/webp", size_bytes=10)
    assert caught.value.code == 5004
    with pytest.raises(linq.BadRequestError) as caught:
        client.attachments.create(filename="big.mp4", content_type="video/mp4", size_bytes=104857601)
    assert caught.value.code == 5005
    with pytest.raises(linq.BadRequestError) as caught:
        client.attachments.delete("not-a-uuid")
    assert caught.value.code == 1005
    with pytest.raises(linq.NotFoundError) as caught:
        globex.attachments.retrieve(SEED_ATTACHMENT)
    assert caught.value.code == 2003
    with pytest.raises(linq.NotFoundError):
        globex.attachments.delete(SEED_ATTACHMENT)
    assert client.attachments.retrieve(SEED_ATTACHMENT).status == "complete"


# Phone numbers

def test_phone_numbers_list_and_forwarding(client):
    listed = client.phone_numbers.list()
    assert isinstance(listed, PhoneNumberListResponse)
    assert [p.phone_number for p in listed.phone_numbers] == [ACME_LINE, ACME_LINE_2, ACME_LINE_3]
    first = listed.phone_numbers[0]
    assert (first.id, first.reputation.status, first.forwarding_number, first.line_type) == (
        ACME_LINE_ID, "HEALTHY", None, "iMessage")
    assert listed.phone_numbers[2].line_type == "RCS"

    updated = client.phone_numbers.update(first.id, forwarding_number="+14155550100")
    assert isinstance(updated, PhoneNumberUpdateResponse)
    assert (updated.id, updated.phone_number, updated.forwarding_number) == (first.id, ACME_LINE, "+14155550100")
    assert client.phone_numbers.list().phone_numbers[0].forwarding_number == "+14155550100"

    assert client.phone_numbers.update(first.id, forwarding_number=None).forwarding_number is None
    client.phone_numbers.update(first.id, forwarding_number="+14155550100")
    assert client.phone_numbers.update(first.id, forwarding_number="").forwarding_number is None


def test_phone_number_update_errors(client):
    with pytest.raises(linq.NotFoundError) as caught:
        client.phone_numbers.update(ACME_LINE, forwarding_number="+14155550100")
    assert caught.value.code == 2019
    with pytest.raises(linq.BadRequestError) as caught:
        client.phone_numbers.update(ACME_LINE_ID, forwarding_number="415-555-0100")
    assert caught.value.code == 1002


def test_reputation_audit(client, emu):
    started = client.phone_numbers.start_reputation_audit(ACME_LINE_2)
    assert isinstance(started, ReputationAuditStarted)
    assert started.status == "pending"
    assert client.phone_numbers.start_reputation_audit(ACME_LINE_2).audit_id == started.audit_id

    pending = client.phone_numbers.get_reputation_audit(started.audit_id, phone_number=ACME_LINE_2)
    assert isinstance(pending, ReputationAudit)
    assert (pending.status, pending.report) == ("pending", None)

    emu.advance(31)
    done = client.phone_numbers.get_reputation_audit(started.audit_id, phone_number=ACME_LINE_2)
    assert (done.status, done.phone) == ("complete", ACME_LINE_2)
    assert done.generated_at is not None
    assert done.report.severity == "HEALTHY"
    assert done.report.action_items[0].priority == 1

    with pytest.raises(linq.RateLimitError) as caught:
        client.phone_numbers.start_reputation_audit(ACME_LINE_2)
    assert caught.value.code == 1007
    assert int(caught.value.response.headers["retry-after"]) > 0


def test_reputation_audit_errors(client, globex):
    seeded = client.phone_numbers.get_reputation_audit(SEED_AUDIT, phone_number=ACME_LINE)
    assert seeded.status == "complete"
    with pytest.raises(linq.NotFoundError):
        client.phone_numbers.get_reputation_audit(SEED_AUDIT, phone_number=ACME_LINE_2)
    with pytest.raises(linq.NotFoundError) as caught:
        globex.phone_numbers.start_reputation_audit(ACME_LINE)
    assert caught.value.code == 2019


def test_deprecated_phonenumbers(client):
    with pytest.warns(DeprecationWarning):
        listed = client.phonenumbers.list()
    assert isinstance(listed, PhonenumberListResponse)
    assert [p.phone_number for p in listed.phone_numbers] == [ACME_LINE, ACME_LINE_2, ACME_LINE_3]
    assert listed.phone_numbers[0].capabilities.sms is True
    assert listed.phone_numbers[0].type is None


# Available number

def test_available_number(client):
    picked = client.available_number.retrieve()
    assert isinstance(picked, AvailableNumberRetrieveResponse)
    assert picked.phone_number in (ACME_LINE, ACME_LINE_2, ACME_LINE_3)
    assert picked.vcf_url.startswith("https://")
    assert client.available_number.retrieve(type="RCS").phone_number == ACME_LINE_3
    only = client.available_number.retrieve(exclude_from=[ACME_LINE, ACME_LINE_3])
    assert only.phone_number == ACME_LINE_2
    sticky = client.available_number.retrieve(to=["+15557770002"])
    assert sticky.phone_number == ACME_LINE_2


def test_available_number_errors(client, globex):
    with pytest.raises(linq.BadRequestError) as caught:
        client.available_number.retrieve(exclude_from=["4155551234"])
    assert caught.value.code == 1002
    with pytest.raises(linq.BadRequestError) as caught:
        client.available_number.retrieve(exclude_from=[ACME_LINE, ACME_LINE_2, ACME_LINE_3])
    assert caught.value.code == 1005
    with pytest.raises(linq.InternalServerError) as caught:
        globex.available_number.retrieve(type="RCS")
    assert caught.value.status_code == 503
    assert caught.value.code == 4004


# Blocked handles

def test_blocked_handles(client, globex):
    listed = client.blocked_handles.list()
    assert isinstance(listed, BlockedHandleListResponse)
    assert [b.handle for b in listed.blocked_handles] == [SEED_BLOCKED]
    assert globex.blocked_handles.list().blocked_handles == []

    blocked = client.blocked_handles.block(handle="Spam@Example.com", reason="spam")
    assert isinstance(blocked, BlockedHandleBlockResponse)
    assert (blocked.blocked_handle.handle, blocked.blocked_handle.reason) == ("spam@example.com", "spam")
    again = client.blocked_handles.block(handle="spam@example.com")
    assert again.blocked_handle == blocked.blocked_handle
    assert client.blocked_handles.block(handle="262966").blocked_handle.reason is None
    assert [b.handle for b in client.blocked_handles.list().blocked_handles] == [
        "262966", "spam@example.com", SEED_BLOCKED]

    assert client.blocked_handles.unblock(handle="spam@example.com") is None
    assert client.blocked_handles.unblock(handle="spam@example.com") is None  # idempotent
    assert [b.handle for b in client.blocked_handles.list().blocked_handles] == ["262966", SEED_BLOCKED]


def test_a_direct_send_to_a_blocked_handle_is_403_2026(client):
    # The SDK: "direct sends to a blocked handle are rejected with 403 (error code 2026)".
    contact = "+15557770001"  # the other member of the seeded chat ACME_CHAT
    client.blocked_handles.block(handle=contact, reason="spam")
    message = {"parts": [{"type": "text", "value": "hi"}]}
    sends = [
        lambda: client.chats.messages.send(ACME_CHAT, message=message),
        lambda: client.chats.create(from_=ACME_LINE_2, to=[contact], message=message),
        lambda: client.messages.create(to=[contact], message=message),
    ]
    for send in sends:
        with pytest.raises(linq.PermissionDeniedError) as caught:
            send()
        assert caught.value.status_code == 403
        assert caught.value.code == 2026
        assert caught.value.body["message"] == "Handle is blocked"
    # Group sends with unblocked members are not restricted.
    group = client.chats.create(from_=ACME_LINE, to=[contact, "+15557770031"], message=message)
    assert group.chat.is_group is True
    client.blocked_handles.unblock(handle=contact)
    assert client.chats.messages.send(ACME_CHAT, message=message).message.delivery_status == "queued"


def test_block_invalid_handle(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.blocked_handles.block(handle="12")
    assert caught.value.code == 1005


# Capability

def test_check_imessage(client):
    yes = client.capability.check_i_message(address="+15557770001")
    assert isinstance(yes, HandleCheckResponse)
    assert (yes.address, yes.available, yes.reason, yes.selected_service) == (
        "+15557770001", True, None, "iMessage")
    assert client.capability.check_i_message(address="someone@example.com", from_=ACME_LINE).available is True
    no = client.capability.check_i_message(address="+15557770009")
    assert (no.available, no.reason, no.selected_service) == (False, "not_supported", "SMS")
    with pytest.raises(linq.PermissionDeniedError) as caught:
        client.capability.check_i_message(address="+15557770001", from_=GLOBEX_LINE)
    assert caught.value.code == 2006


def test_check_rcs(client, globex):
    yes = client.capability.check_RCS(address="+15557770008", from_=ACME_LINE_3)
    assert (yes.available, yes.selected_service) == (True, "RCS")
    no = client.capability.check_RCS(address="+15557770007")
    assert (no.available, no.reason, no.selected_service) == (False, "not_supported", "SMS")
    with pytest.raises(linq.BadRequestError) as caught:
        client.capability.check_RCS(address="someone@example.com")
    assert caught.value.code == 1002
    with pytest.raises(linq.InternalServerError) as caught:
        globex.capability.check_RCS(address="+15557770001")
    assert (caught.value.status_code, caught.value.code) == (503, 4009)
