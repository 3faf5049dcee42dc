#!/usr/bin/env linq
# Webhooks in 60 seconds: listen, send a message, watch it get delivered, have the contact reply,
# wait for the reply, react to it. Every event is signed, checked and printed as it arrives.
#     linq scripts/examples/webhooks.linq            (add --step to present it live)
emulator reset

echo "1. Listen: a receiver in this shell, subscribed for us on the emulator"
webhook listen --events message.sent,message.delivered,message.received,reaction.added,chat.typing_indicator.started

echo "2. Say hello to a new contact"
let chat = chat create +15557654321 --text "Hello from linq 👋"
expect event message.delivered where $event.data.chat.id == $chat.chat.id within 5s

echo "3. The contact types, then replies (the emulator plays the other side)"
emulator inbound --from +15557654321 --chat $chat.chat.id --typing
expect event chat.typing_indicator.started within 5s
emulator inbound --from +15557654321 --chat $chat.chat.id --text "Hi! Who is this?"
expect event message.received where $event.data.parts[0].value == "Hi! Who is this?" within 5s
echo "They said: $event.data.parts[0].value"

echo "4. React to the reply"
message react $event.data.id --type love
expect status 2xx
expect event reaction.added within 5s

echo "5. Everything that arrived"
webhook received
expect $events length >= 5
webhook listen stop
