#!/usr/bin/env linq
# A debugging session: see the request on the wire, time it, print the last response again.
#     linq scripts/examples/debugging.linq
echo "verbose: the request line, headers (the key masked), then the response status and headers"
verbose on
card get
verbose off
expect status 200

echo "timing: each command's duration"
timing on
card get
timing off

echo "last: the last response again, with its headers and the request that produced it"
last --headers --request
expect $last.contact_cards exists

echo "the same response as one line of JSON, for jq or a log"
set output json
card get
set output pretty

echo "any endpoint by hand, and a 404 with its trace id"
try request GET /v3/no_such_thing
expect status 404
echo "trace id of that 404: $last.trace_id"
