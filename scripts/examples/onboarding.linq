#!/usr/bin/env linq
# Contact-card onboarding: set up the card of one of your lines, read it back, change it, and
# share it into a chat. Runs against the built-in emulator:
#     linq scripts/examples/onboarding.linq
# For another line or chat: LINQ_NUMBER=+1… LINQ_CHAT=<chat id> linq scripts/examples/onboarding.linq
let line = ${env:LINQ_NUMBER:-+15551230001}
let chat = ${env:LINQ_CHAT:-7b3c3a10-0001-4c2e-9a51-000000000001}

echo "1. Set up the contact card of $line (stored inactive, applied, then activated)"
let card = card create --first Ada --last Lovelace --number $line --image https://example.com/ada.png
expect status 200
expect $card.is_active == true
expect $card.image_url contains cdn.linqapp.com

echo "2. Read it back"
card get $line
expect $last.contact_cards[0].first_name == Ada

echo "3. Change the last name only: the other fields are kept"
let updated = card update --last King --number $line
expect $updated.last_name == King
expect $updated.first_name == Ada
expect $updated.image_url == $card.image_url

echo "4. Share the card into the chat $chat"
card share $chat
expect status 204
