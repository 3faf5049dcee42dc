import LinqCore
import Testing

/// Values a server controls must never crash the client.
@Suite struct HostileServerTests {
    func response(headers: [HTTPHeader], body: String = "") -> LinqResponse {
        LinqResponse(
            status: 429, headers: headers, body: Array(body.utf8), duration: .zero, attempts: 1,
            request: HTTPRequestData(method: "GET", url: "http://h/v3/x"))
    }

    @Test(arguments: ["1e300", "-1e300", "inf", "nan", "-5", "86401"])
    func absurdRetryAfterValuesAreIgnored(value: String) {
        #expect(response(headers: [HTTPHeader("Retry-After", value)]).retryAfterSeconds == nil)
        let body =
            #"{"success":false,"error":{"status":429,"code":1007,"message":"Rate limit exceeded","retry_after":\#(value == "inf" || value == "nan" ? "1e999" : value)}}"#
        let error = LinqError.from(response: response(headers: [], body: body))
        #expect(error.retryAfter == nil)
        #expect(error.code == 1007)
    }

    @Test func anHTTPDateRetryAfterIsUnderstood() throws {
        let seconds = try #require(
            response(headers: [HTTPHeader("Retry-After", "Sun, 06 Nov 2095 08:49:37 GMT")]).retryAfterSeconds == nil
                ? 0 : 1)
        _ = seconds  // a date 70 years ahead is over a day: ignored
        #expect(response(headers: [HTTPHeader("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")]).retryAfterSeconds == 0)
        #expect(response(headers: [HTTPHeader("Retry-After", "not a date")]).retryAfterSeconds == nil)
    }

    @Test func thePolicyNeverTrapsOnInfiniteWaits() {
        let policy = RetryPolicy(jitter: false)
        #expect(
            policy.decide(
                .response(status: 429, code: 1007, retryAfter: .infinity, shouldRetryHeader: nil), retriesSoFar: 0,
                idempotent: true) == .retry(after: .milliseconds(500)))
        #expect(
            policy.decide(
                .response(status: 429, code: 1007, retryAfter: 1e300, shouldRetryHeader: nil), retriesSoFar: 0,
                idempotent: true) == .stop)
    }
}
