"""Chats with a first message, chat messages, messages, reactions, app cards and polls, as the
official SDK sees them (each endpoint's success and one documented error)."""
import datetime

import linq
import pytest
from linq.types import (ChatCreateResponse, Message, MessageCreateResponse, MessageAddReactionResponse,
                        MessageUpdateAppCardResponse, MessageUpdateStickerPlacementResponse, Reaction,
                        TextPartResponse)
from linq.types.chats import MessageSendResponse, PollEnvelope, SentMessage
from linq.types.shared import ChatHandle, LinkPartResponse, MediaPartResponse

from conftest import ACME_CHAT, ACME_CHAT_2, ACME_LINE, ACME_LINE_2, GLOBEX_LINE

MESSAGE_1 = "3e55a9e0-0001-4000-8000-000000000001"
MESSAGE_3 = "3e55a9e0-0001-4000-8000-000000000003"
GROUP_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000009"
RCS_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000003"
POLL = "3e55a9e0-0002-4000-8000-000000000009"
STICKER = "4ea00000-0001-4000-8000-000000000001"


def text(value, **extra):
    return {"parts": [{"type": "text", "value": value}], **extra}


def send(client, value="hi", chat=ACME_CHAT, **extra):
    return client.chats.messages.send(chat, message=text(value, **extra)).message.id


# POST /v3/chats

def test_create_chat_opens_a_chat_with_its_first_message(client):
    created = client.chats.create(from_=ACME_LINE, to=["+15550001111"], message=text("Hello"))
    assert isinstance(created, ChatCreateResponse)
    chat = created.chat
    assert chat.is_group is False and chat.service == "iMessage"
    assert [h.handle for h in chat.handles] == [ACME_LINE, "+15550001111"]
    assert all(isinstance(h, ChatHandle) for h in chat.handles)
    assert chat.health_status.status == "HEALTHY"
    assert isinstance(chat.message, SentMessage)
    assert isinstance(chat.message.parts[0], TextPartResponse)
    assert chat.message.parts[0].value == "Hello"
    assert chat.message.from_handle.handle == ACME_LINE
    assert isinstance(chat.message.created_at, datetime.datetime)
    raw = client.chats.with_raw_response.create(from_=ACME_LINE, to=["+15550001111"], message=text("Again"))
    assert raw.status_code == 201
    assert raw.parse().chat.id == chat.id, "same line and recipients reuse the chat"


def test_create_chat_first_message_may_not_carry_a_link_1005(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.create(from_=ACME_LINE, to=["+15550002222"],
                            message={"parts": [{"type": "link", "value": "https://example.com"}]})
    assert caught.value.code == 1005
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.create(from_=ACME_LINE, to=["+15550002222"], message=text("see https://example.com"))
    assert caught.value.code == 1005


def test_create_chat_from_another_partners_line_is_2006(client):
    with pytest.raises(linq.PermissionDeniedError) as caught:
        client.chats.create(from_=GLOBEX_LINE, to=["+15550001111"], message=text("x"))
    assert caught.value.code == 2006
    assert caught.value.body["message"] == "Phone number permission denied"


def test_consecutive_text_parts_are_invalid_content_1004(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.create(from_=ACME_LINE, to=["+15550001111"],
                            message={"parts": [{"type": "text", "value": "a"}, {"type": "text", "value": "b"}]})
    assert caught.value.code == 1004


# Chat messages

def test_send_into_a_chat_answers_202(client):
    raw = client.chats.messages.with_raw_response.send(
        ACME_CHAT, message={"parts": [{"type": "text", "value": "Look"},
                                      {"type": "media", "url": "https://example.com/cat.jpg"}],
                            "effect": {"type": "screen", "name": "confetti"}})
    assert raw.status_code == 202
    sent = raw.parse()
    assert isinstance(sent, MessageSendResponse)
    assert sent.chat_id == ACME_CHAT
    assert sent.message.effect.name == "confetti"
    media = sent.message.parts[1]
    assert isinstance(media, MediaPartResponse)
    assert (media.filename, media.mime_type) == ("cat.jpg", "image/jpeg")


def test_send_into_an_unknown_chat_is_2001(client, globex):
    with pytest.raises(linq.NotFoundError) as caught:
        globex.chats.messages.send(ACME_CHAT, message=text("x"))
    assert caught.value.code == 2001


def test_an_opted_out_recipient_is_403_2024_unless_overridden(client, emu):
    contact = "+15557770001"  # ACME_CHAT's contact
    emu.control("POST", "/_emulator/inbound", {"from": contact, "chat_id": ACME_CHAT, "text": "STOP"})
    assert client.chats.retrieve(ACME_CHAT).health_status.status == "OPTED_OUT"
    for attempt in (lambda **o: client.chats.messages.send(ACME_CHAT, message=text("hi"), **o),
                    lambda **o: client.messages.create(to=[contact], message=text("hi"), **o),
                    lambda **o: client.chats.create(from_=ACME_LINE_2, to=[contact], message=text("hi"), **o)):
        with pytest.raises(linq.PermissionDeniedError) as caught:
            attempt()
        assert caught.value.code == 2024
        assert attempt(override_optout=True)
    with pytest.raises(linq.PermissionDeniedError):
        client.chats.messages.send(ACME_CHAT, message=text("hi"))
    emu.control("POST", "/_emulator/inbound", {"from": contact, "chat_id": ACME_CHAT, "text": "ok, go on"})
    assert isinstance(client.chats.messages.send(ACME_CHAT, message=text("hi")), MessageSendResponse)


def test_a_sandbox_line_may_only_answer_who_wrote_first_2008(globex, emu):
    stranger = "+15550004444"
    with pytest.raises(linq.PermissionDeniedError) as caught:
        globex.chats.create(from_=GLOBEX_LINE, to=[stranger], message=text("hello"))
    assert caught.value.code == 2008
    assert caught.value.body["message"] == "Recipient not allowed"
    emu.control("POST", "/_emulator/inbound", {"from": stranger, "to": GLOBEX_LINE, "text": "hi"})
    assert globex.chats.create(from_=GLOBEX_LINE, to=[stranger], message=text("hello")).chat.id


def test_chat_messages_are_paged(client):
    ids = [send(client, f"m{n}") for n in range(3)]
    first = client.chats.messages.list(ACME_CHAT, limit=2)
    assert [m.id for m in first.messages] == [ids[2], ids[1]]
    assert first.next_cursor == "2"
    everything = list(client.chats.messages.list(ACME_CHAT, limit=2))
    assert [m.id for m in everything] == [ids[2], ids[1], ids[0], MESSAGE_1]
    assert all(isinstance(m, Message) for m in everything)
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.messages.list(ACME_CHAT, limit=500)
    assert caught.value.code == 1005


def test_idempotency_key_returns_the_original_and_404_after_delete(client):
    a = client.chats.messages.send(ACME_CHAT, message=text("once", idempotency_key="key-1"))
    b = client.chats.messages.send(ACME_CHAT, message=text("once", idempotency_key="key-1"))
    assert a.message.id == b.message.id
    client.messages.delete(a.message.id)
    with pytest.raises(linq.NotFoundError) as caught:
        client.chats.messages.send(ACME_CHAT, message=text("once", idempotency_key="key-1"))
    assert caught.value.code == 2002


# POST /v3/messages

def test_send_without_from_reuses_or_picks_a_line(client):
    reused = client.messages.create(to=["+15557770001"], message=text("hi"))
    assert isinstance(reused, MessageCreateResponse)
    assert (reused.chat_id, reused.from_, reused.created_new_chat) == (ACME_CHAT, ACME_LINE, False)
    assert reused.from_selection.reason == "reused_active_chat"
    assert reused.from_selection.reused_existing_chat is True
    assert reused.previous_chat_id is None

    raw = client.messages.with_raw_response.create(
        to=["+15550003333"], exclude_from=[ACME_LINE], idempotency_key="req-1",
        message={"parts": [{"type": "link", "value": "https://example.com"}]})
    assert raw.status_code == 202
    fresh = raw.parse()
    assert fresh.created_new_chat is True and fresh.from_ == ACME_LINE_2
    assert fresh.from_selection.reason == "new_best_number"
    assert isinstance(fresh.message.parts[0], LinkPartResponse)
    again = client.messages.create(to=["+15550003333"], idempotency_key="req-1", message=text("other"))
    assert again.message.id == fresh.message.id


def test_send_without_from_rejects_a_non_e164_exclusion(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.messages.create(to=["+15550003333"], exclude_from=["4155551234"], message=text("x"))
    assert caught.value.code == 1002


# One message

def test_retrieve_a_message_and_another_partners_is_2002(client, globex):
    message = client.messages.retrieve(MESSAGE_1)
    assert isinstance(message, Message)
    assert (message.chat_id, message.is_from_me, message.delivery_status) == (ACME_CHAT, True, "delivered")
    assert message.from_ == ACME_LINE
    sticker = message.parts[0].reactions[0]
    assert isinstance(sticker, Reaction)
    assert (sticker.id, sticker.type, sticker.is_me) == (STICKER, "sticker", True)
    assert sticker.sticker.mime_type == "image/png"
    with pytest.raises(linq.NotFoundError) as caught:
        globex.messages.retrieve(MESSAGE_1)
    assert caught.value.code == 2002


def test_edit_a_message_and_the_fifteen_minute_window(client, emu):
    sent = send(client, "typo")
    edited = client.messages.update(sent, text="fixed")
    assert isinstance(edited, Message)
    assert edited.parts[0].value == "fixed"
    emu.advance(901)
    with pytest.raises(linq.ConflictError) as caught:
        client.with_options(max_retries=0).messages.update(sent, text="too late")
    assert caught.value.code == 2015


def test_delete_then_retrieve_is_404(client):
    assert client.messages.delete(MESSAGE_1) is None
    with pytest.raises(linq.NotFoundError):
        client.messages.retrieve(MESSAGE_1)


def test_thread_lists_the_originator_and_replies(client):
    reply = send(client, "re", reply_to={"message_id": MESSAGE_1})
    page = client.messages.list_messages_thread(reply)
    assert [m.id for m in page.messages] == [MESSAGE_1, reply]
    assert page.messages[1].reply_to.message_id == MESSAGE_1
    desc = client.messages.list_messages_thread(MESSAGE_1, order="desc")
    assert [m.id for m in desc.messages] == [reply, MESSAGE_1]
    with pytest.raises(linq.NotFoundError):
        client.messages.list_messages_thread("00000000-0000-4000-8000-000000000000")


# Reactions and stickers

def test_add_and_remove_a_reaction(client):
    sent = send(client)
    added = client.messages.add_reaction(sent, operation="add", type="love")
    assert isinstance(added, MessageAddReactionResponse)
    assert added.status == "accepted" and len(added.trace_id) == 32
    reactions = client.messages.retrieve(sent).parts[0].reactions
    assert [(r.type, r.is_me) for r in reactions] == [("love", True)]
    client.messages.add_reaction(sent, operation="remove", type="love")
    assert client.messages.retrieve(sent).parts[0].reactions == []


def test_reaction_errors(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.messages.add_reaction(MESSAGE_1, operation="add", type="custom")
    assert caught.value.code == 1001
    with pytest.raises(linq.BadRequestError) as caught:
        client.messages.add_reaction(MESSAGE_1, operation="remove", type="sticker", emoji="😀")
    assert caught.value.code == 1005
    with pytest.raises(linq.BadRequestError) as caught:
        client.messages.add_reaction(MESSAGE_1, operation="add", type="wow")  # type: ignore[arg-type]
    assert caught.value.code == 1005


def test_move_a_sticker(client):
    moved = client.messages.update_sticker_placement(STICKER, message_id=MESSAGE_1,
                                                     placement={"x": 0.5, "y": -0.5, "rotation": 30})
    assert isinstance(moved, MessageUpdateStickerPlacementResponse)
    assert moved.success is True
    client.messages.add_reaction(MESSAGE_1, operation="add", type="like")
    like = next(r for r in client.messages.retrieve(MESSAGE_1).parts[0].reactions if r.type == "like")
    with pytest.raises(linq.BadRequestError) as caught:
        client.messages.update_sticker_placement(like.id, message_id=MESSAGE_1, placement={"x": 0})
    assert caught.value.code == 1005
    with pytest.raises(linq.NotFoundError):
        client.messages.update_sticker_placement("nope", message_id=MESSAGE_1, placement={"x": 0})


# App cards

def test_update_an_app_card(client):
    card = client.chats.messages.send(ACME_CHAT, message={"parts": [{
        "type": "imessage_app", "app": {"bundle_id": "com.acme.game", "name": "Game", "team_id": "ABCDE12345"},
        "layout": {"caption": "Your move"}, "url": "https://acme.com/g/1"}]}).message
    assert card.parts[0].app.team_id == "ABCDE12345"
    assert card.parts[0].fallback_text == "Your move"
    updated = client.messages.update_app_card(card.id, layout={"caption": "Their move"}, url="https://acme.com/g/2")
    assert isinstance(updated, MessageUpdateAppCardResponse)
    assert updated.chat_id == ACME_CHAT and updated.message.id != card.id
    assert updated.message.parts[0].layout.caption == "Their move"
    assert updated.message.parts[0].app.bundle_id == "com.acme.game"
    with pytest.raises(linq.BadRequestError) as caught:
        client.messages.update_app_card(MESSAGE_1, layout={"caption": "x"})
    assert caught.value.code == 1008


# Polls

def test_poll_create_add_options_vote(client):
    envelope = client.chats.polls.create(GROUP_CHAT, poll={"options": [{"text": "Mon"}, {"text": "Tue"}]})
    assert isinstance(envelope, PollEnvelope)
    assert envelope.chat_id == GROUP_CHAT
    assert [o.text for o in envelope.poll.options] == ["Mon", "Tue"]
    assert envelope.poll.options[0].creator_handle.handle == ACME_LINE
    extended = client.messages.poll.add_options(envelope.message_id, options=[{"text": "Wed"}])
    assert len(extended.poll.options) == 3
    option = extended.poll.options[2].option_id
    voted = client.messages.poll.vote(envelope.message_id, operation="add", option_id=option)
    assert voted.poll.total_voters == 1
    assert voted.poll.options[2].voters[0].handle == ACME_LINE
    fetched = client.messages.poll.retrieve(envelope.message_id)
    assert fetched.poll.total_voters == 1


def test_seeded_poll(client):
    poll = client.messages.poll.retrieve(POLL)
    assert [o.text for o in poll.poll.options] == ["Pizza", "Tacos"]
    assert poll.poll.total_voters == 1


def test_poll_errors(client):
    with pytest.raises(linq.BadRequestError) as caught:
        client.chats.polls.create(GROUP_CHAT, poll={"options": [{"text": "only"}]})
    assert caught.value.code == 1005
    with pytest.raises(linq.ConflictError) as caught:
        client.chats.polls.create(RCS_CHAT, poll={"options": [{"text": "a"}, {"text": "b"}]})
    assert caught.value.code == 2017
    with pytest.raises(linq.NotFoundError) as caught:
        client.messages.poll.retrieve(MESSAGE_1)
    assert caught.value.code == 2002
