"""The contact-card lifecycle and each documented error, as the official SDK sees them."""
import linq
import pytest
from linq.types import SetContactCard
from linq.types.contact_card_retrieve_response import ContactCardRetrieveResponse

from conftest import ACME_CHAT, ACME_CHAT_2, ACME_LINE, ACME_LINE_2, ACME_LINE_3, GLOBEX_LINE


def test_lifecycle_create_retrieve_update_share(client):
    card = client.contact_card.create(first_name="John", last_name="Doe", phone_number=ACME_LINE,
                                      image_url="https://example.com/john.jpg")
    assert isinstance(card, SetContactCard)
    assert (card.first_name, card.last_name, card.phone_number, card.is_active) == ("John", "Doe", ACME_LINE, True)
    assert card.image_url.startswith("https://cdn.linqapp.com/contact-card/")

    everything = client.contact_card.retrieve()
    assert isinstance(everything, ContactCardRetrieveResponse)
    assert [c.phone_number for c in everything.contact_cards] == [ACME_LINE]

    one = client.contact_card.retrieve(phone_number=ACME_LINE)
    assert one.contact_cards[0].first_name == "John"

    updated = client.contact_card.update(phone_number=ACME_LINE, first_name="Johnny")
    assert (updated.first_name, updated.last_name, updated.is_active) == ("Johnny", "Doe", True)
    assert updated.image_url == card.image_url, "an omitted field keeps its value"

    assert client.chats.share_contact_card(ACME_CHAT) is None


def test_raw_response_has_trace_id_header(client):
    raw = client.contact_card.with_raw_response.retrieve()
    assert raw.status_code == 200
    assert len(raw.headers["x-trace-id"]) == 32


def test_bad_phone_number_is_bad_request_1002(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.contact_card.create(first_name="John", phone_number="555-1234")
    assert caught.value.code == 1002
    assert caught.value.status_code == 400
    assert caught.value.doc_url == "https://docs.linqapp.com/error/codes/1xxx/1002/"
    assert caught.value.body["message"] == "Phone number must be in E.164 format"


def test_bad_key_is_authentication_error(emu):
    bad = linq.LinqAPIV3(api_key="wrong", base_url=emu.base_url, max_retries=0)
    with pytest.raises(linq.AuthenticationError) as caught:
        bad.contact_card.retrieve()
    assert caught.value.code == 2004


def test_another_partners_line_is_permission_denied(client):
    with pytest.raises(linq.PermissionDeniedError) as caught:
        client.contact_card.create(first_name="John", phone_number=GLOBEX_LINE)
    assert caught.value.status_code == 403
    assert caught.value.code == 2005, "the contact-card page documents 2005"
    assert caught.value.body["message"] == "Access denied - insufficient permissions for this resource"


def test_second_create_is_conflict_2014(client):
    client.contact_card.create(first_name="John", phone_number=ACME_LINE)
    with pytest.raises(linq.ConflictError) as caught:
        client.contact_card.create(first_name="Jane", phone_number=ACME_LINE)
    assert caught.value.code == 2014
    assert caught.value.body["message"] == "A contact card already exists for this phone number"


def test_fourth_call_is_rate_limited_with_retry_after(client, emu):
    client.contact_card.create(first_name="A", phone_number=ACME_LINE_2)
    client.contact_card.update(phone_number=ACME_LINE_2, first_name="B")
    client.contact_card.update(phone_number=ACME_LINE_2, first_name="C")
    with pytest.raises(linq.RateLimitError) as caught:
        client.contact_card.update(phone_number=ACME_LINE_2, first_name="D")
    assert caught.value.code == 1007
    assert caught.value.retry_after is not None and 590 < caught.value.retry_after <= 600
    assert caught.value.response.headers["retry-after"] == str(caught.value.retry_after)
    emu.advance(600)
    assert client.contact_card.update(phone_number=ACME_LINE_2, first_name="D").first_name == "D"


def test_setup_failure_is_internal_server_error_2022_and_leaves_card_inactive(client, emu):
    emu.fault(code=2022, method="POST", path="/v3/contact_card")
    with pytest.raises(linq.InternalServerError) as caught:
        client.contact_card.create(first_name="John", phone_number=ACME_LINE)
    assert caught.value.code == 2022
    assert caught.value.status_code == 500
    assert client.contact_card.retrieve(phone_number=ACME_LINE).contact_cards[0].is_active is False
    assert client.contact_card.create(first_name="John", phone_number=ACME_LINE).is_active is True


def test_upstream_limit_is_503_4004(client, emu):
    client.contact_card.create(first_name="John", phone_number=ACME_LINE)
    emu.fault(code=4004, method="PATCH", path="/v3/contact_card")
    with pytest.raises(linq.InternalServerError) as caught:
        client.contact_card.update(phone_number=ACME_LINE, first_name="Jane")
    assert (caught.value.status_code, caught.value.code) == (503, 4004)
    assert client.contact_card.retrieve(phone_number=ACME_LINE).contact_cards[0].is_active is False


def test_missing_card_is_not_found_2012(client):
    with pytest.raises(linq.NotFoundError) as caught:
        client.contact_card.update(phone_number=ACME_LINE_3, first_name="X")
    assert caught.value.code == 2012
    with pytest.raises(linq.NotFoundError) as share:
        client.chats.share_contact_card(ACME_CHAT_2)
    assert share.value.code == 2012


def test_share_twice_is_rate_limited(client):
    client.contact_card.create(first_name="John", phone_number=ACME_LINE)
    client.chats.share_contact_card(ACME_CHAT)
    with pytest.raises(linq.RateLimitError) as caught:
        client.chats.share_contact_card(ACME_CHAT)
    assert 0 < caught.value.retry_after <= 300


def test_sdk_default_retries_resend_a_conflict_the_emulator_counts_them(emu):
    """Documents why linq's own client never re-sends a 409: the SDK does, spending the budget."""
    retrying = linq.LinqAPIV3(api_key="linq-emulator-acme", base_url=emu.base_url, max_retries=2)
    retrying.contact_card.create(first_name="John", phone_number=ACME_LINE)
    emu.control("DELETE", "/_emulator/requests")
    with pytest.raises(linq.APIStatusError):
        retrying.contact_card.create(first_name="Jane", phone_number=ACME_LINE)
    assert emu.control("GET", "/_emulator/requests")["count"] == 3
