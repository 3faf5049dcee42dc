"""Chat routes (list, get, update, leave, read, voice memo, participants, typing, location,
background) and their documented errors, as the official SDK sees them."""
import linq
import pytest
from linq.types import Chat, ChatLeaveChatResponse, ChatSendVoicememoResponse, ChatUpdateResponse
from linq.types.chats import (GetChatLocationResponse, LocationRequestResponse, ParticipantAddResponse,
                              ParticipantRemoveResponse, StopChatLocationSharingResponse)

from conftest import ACME_CHAT, ACME_CHAT_2, ACME_LINE, ACME_LINE_2

GROUP_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000009"
RCS_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000003"


def test_list_chats_paginates_with_the_sdk_iterator(client):
    page = client.chats.list_chats(limit=2)
    assert [c.id for c in page.chats] == [GROUP_CHAT, ACME_CHAT]
    assert page.next_cursor == "2"
    assert all(isinstance(c, Chat) for c in page.chats)
    everything = [c.id for c in client.chats.list_chats(limit=2)]
    assert everything == [GROUP_CHAT, ACME_CHAT, ACME_CHAT_2, RCS_CHAT]


def test_list_chats_filters(client):
    assert [c.id for c in client.chats.list_chats(from_=ACME_LINE_2).chats] == [ACME_CHAT_2]
    assert [c.id for c in client.chats.list_chats(to="+15557770011").chats] == [GROUP_CHAT]
    assert client.chats.list_chats(from_=ACME_LINE, to="nobody@example.com").chats == []


def test_list_chats_bad_limit_is_1005(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.list_chats(limit=0)
    assert caught.value.code == 1005


def test_list_chats_of_another_partners_line_is_403(client):
    with pytest.raises(linq.PermissionDeniedError) as caught:
        client.chats.list_chats(from_="+15559870001")
    assert caught.value.code == 2006


def test_retrieve_chat(client):
    chat = client.chats.retrieve(ACME_CHAT)
    assert isinstance(chat, Chat)
    assert (chat.id, chat.is_group, chat.service, chat.is_archived) == (ACME_CHAT, False, "iMessage", False)
    assert [h.handle for h in chat.handles] == [ACME_LINE, "+15557770001"]
    assert [h.is_me for h in chat.handles] == [True, False]
    assert chat.health_status.status == "HEALTHY"
    assert chat.group_chat_icon is None


def test_retrieve_another_partners_chat_is_not_found(globex):
    with pytest.raises(linq.NotFoundError) as caught:
        globex.chats.retrieve(ACME_CHAT)
    assert caught.value.code == 2001
    assert caught.value.body["message"] == "Chat not found"


def test_update_group_chat(client):
    response = client.chats.update(GROUP_CHAT, display_name="Team", group_chat_icon="https://example.com/i.png")
    assert isinstance(response, ChatUpdateResponse)
    assert (response.chat_id, response.status) == (GROUP_CHAT, "pending")
    chat = client.chats.retrieve(GROUP_CHAT)
    assert chat.display_name == "Team"
    assert chat.group_chat_icon.startswith("https://cdn.linqapp.com/")


def test_update_direct_chat_is_conflict_1006(client):
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.update(ACME_CHAT, display_name="Nope")
    assert caught.value.code == 1006
    assert caught.value.body["message"] == "Cannot update direct message chats"


def test_leave_group_then_interactions_are_2013(client):
    response = client.chats.leave_chat(GROUP_CHAT)
    assert isinstance(response, ChatLeaveChatResponse)
    assert (response.status, response.message) == ("accepted", "Leave group chat queued")
    assert len(response.trace_id) == 32
    me = next(h for h in client.chats.retrieve(GROUP_CHAT).handles if h.is_me)
    assert me.status == "left" and me.left_at is not None
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.mark_as_read(GROUP_CHAT)
    assert caught.value.code == 2013
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.typing.start(GROUP_CHAT)
    assert caught.value.body["message"] == "This chat is unavailable"


def test_leave_direct_chat_is_conflict(client):
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.leave_chat(ACME_CHAT)
    assert caught.value.code == 1006


def test_mark_as_read_and_typing(client):
    assert client.chats.mark_as_read(ACME_CHAT) is None
    assert client.chats.typing.start(ACME_CHAT) is None
    assert client.chats.typing.stop(ACME_CHAT) is None
    raw = client.chats.typing.with_raw_response.start(RCS_CHAT)
    assert raw.status_code == 204


def test_typing_in_another_partners_chat_is_not_found(globex):
    with pytest.raises(linq.NotFoundError) as caught:
        globex.chats.typing.start(ACME_CHAT)
    assert caught.value.code == 2001


def test_send_voicememo(client):
    raw = client.chats.with_raw_response.send_voicememo(ACME_CHAT, voice_memo_url="https://example.com/memo.m4a")
    assert raw.status_code == 202
    response = raw.parse()
    assert isinstance(response, ChatSendVoicememoResponse)
    memo = response.voice_memo
    assert (memo.from_, memo.to, memo.status, memo.service) == (ACME_LINE, ["+15557770001"], "queued", "iMessage")
    assert (memo.chat.id, memo.chat.is_active, memo.chat.is_group) == (ACME_CHAT, True, False)
    assert memo.voice_memo.filename == "memo.m4a"
    assert memo.voice_memo.mime_type == "audio/x-m4a"
    assert memo.voice_memo.url.startswith("https://cdn.linqapp.com/attachments/partners/")
    assert memo.voice_memo.size_bytes > 0


def test_send_voicememo_needs_exactly_one_source(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.send_voicememo(ACME_CHAT)
    assert caught.value.code == 1001
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.send_voicememo(ACME_CHAT, voice_memo_url="https://e.com/a.mp3", attachment_id="x")
    assert caught.value.code == 1005


def test_participants_add_and_remove(client):
    added = client.chats.participants.add(GROUP_CHAT, handle="new@example.com")
    assert isinstance(added, ParticipantAddResponse)
    assert (added.status, added.message) == ("accepted", "Participant addition queued")
    assert len(added.trace_id) == 32
    raw = client.chats.participants.with_raw_response.remove(GROUP_CHAT, handle="+15557770011")
    assert raw.status_code == 202
    removed = raw.parse()
    assert isinstance(removed, ParticipantRemoveResponse)
    assert removed.message == "Participant removal queued"
    states = {h.handle: h.status for h in client.chats.retrieve(GROUP_CHAT).handles}
    assert states["new@example.com"] == "active"
    assert states["+15557770011"] == "removed"


def test_participants_in_a_direct_chat_is_conflict_1006(client):
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.participants.add(ACME_CHAT, handle="+15557770099")
    assert caught.value.code == 1006
    assert caught.value.body["message"] == "Cannot update direct message chats"


def test_participant_handle_must_be_e164(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.participants.add(GROUP_CHAT, handle="555-0199")
    assert caught.value.code == 1002


def test_location_retrieve(client):
    response = client.chats.location.retrieve(ACME_CHAT)
    assert isinstance(response, GetChatLocationResponse)
    assert response.success is True
    assert response.data.type == "FeatureCollection"
    [feature] = response.data.features
    assert feature.type == "Feature" and feature.geometry.type == "Point"
    lon, lat = feature.geometry.coordinates
    assert -123 < lon < -121 and 37 < lat < 38
    assert feature.properties.handle == "+15557770001"
    assert feature.properties.updated_at is not None
    assert client.chats.location.retrieve(ACME_CHAT_2).data.features == []


def test_location_request_and_its_limit(client, emu):
    response = client.chats.location.request(ACME_CHAT_2)
    assert isinstance(response, LocationRequestResponse)
    assert (response.success, response.message) == (True, "Location request sent")
    with pytest.raises(linq.RateLimitError) as caught:
        client.chats.location.request(ACME_CHAT_2)
    assert caught.value.code == 1007
    assert 0 < caught.value.retry_after <= 300
    assert caught.value.response.headers["retry-after"] == str(caught.value.retry_after)
    emu.advance(300)
    assert client.chats.location.request(ACME_CHAT_2).success is True


def test_location_request_in_group_and_rcs_chats(client):
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.location.request(GROUP_CHAT)
    assert caught.value.code == 2016
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.location.request(RCS_CHAT)
    assert caught.value.code == 2017
    assert caught.value.body["message"] == "Operation not supported on this chat\u2019s service type"


def test_location_stop(client):
    raw = client.chats.location.with_raw_response.stop(ACME_CHAT, handle="+15557770001")
    assert raw.status_code == 202
    response = raw.parse()
    assert isinstance(response, StopChatLocationSharingResponse)
    assert response.success is True
    assert client.chats.location.retrieve(ACME_CHAT).data.features == []
    with pytest.raises(linq.NotFoundError):
        client.chats.location.stop(ACME_CHAT, handle="+15557770001")


def test_background_set_and_remove(client):
    raw = client.chats.background.with_raw_response.set(ACME_CHAT, type="color", variant="mango")
    assert raw.status_code == 202
    assert client.chats.background.set(ACME_CHAT, type="color", shades=["#F2C4E1", "#F5A623"]) is None
    assert client.chats.background.set(GROUP_CHAT, type="dynamic", style="water", variant="dark") is None
    assert client.chats.background.set(ACME_CHAT, type="photo", image_url="https://cdn.linqapp.com/u/bg.jpg") is None
    assert client.chats.background.remove(ACME_CHAT) is None


def test_background_errors(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.background.set(ACME_CHAT, type="photo", image_url="http://example.com/bg.jpg")
    assert caught.value.code == 5007
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.background.set(ACME_CHAT, type="dynamic", style="sky", variant="dark")
    assert caught.value.code == 1005
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.background.set(ACME_CHAT, type="color", variant="custom")
    assert caught.value.code == 1001
