#!/usr/bin/env linq
# A tour of the API's errors, each provoked on purpose against the built-in emulator:
#     linq scripts/examples/errors.linq
# `try` runs a command whose error is expected; `expect` checks what came back.
try request POST /_emulator/reset
set output json

echo "400 / 1002: a number that is not E.164 (sent anyway with --no-validate to see the server's answer)"
try card create --first Ann --number 555-1234 --no-validate
expect status 400
expect error 1002

echo "401 / 2004: a wrong API key"
set key not-a-real-key
try card get
expect status 401
expect error 2004
unset key

echo "403: a line that belongs to another partner"
try card create --first Ann --number +15559870001
expect status 403

echo "409 / 2014: setting up a card that is already active"
card create --first Ann --number +15551230003
try card create --first Ann --number +15551230003
expect status 409
expect error 2014

echo "429 / 1007: the fourth create or update of a number within 10 minutes, with the wait"
card update --last B --number +15551230003
try card update --last C --number +15551230003
expect status 429
expect $last.error.retry_after exists
echo "retry after $last.error.retry_after seconds"

echo "500 / 2022: the setup did not complete (injected with the emulator's fault control); not re-sent automatically"
request POST /_emulator/faults '{"code":2022,"method":"POST","path":"/v3/contact_card","count":1}'
try card create --first Zed --number +15551230002
expect status 500
expect error 2022
card get +15551230002
expect $last.contact_cards[0].is_active == false
