import Testing

@testable import PlatformClient

/// A token (at least 8 characters) is redacted wherever it appears, as
/// sent or percent-encoded.
@Suite struct RedactionTests {
    @Test func everyOccurrence() {
        let token = BearerToken("abcd1234")
        #expect(token.redacting("GET /v1/agents/abcd1234 failed") == "GET /v1/agents/<redacted> failed")
        #expect(token.redacting("bad token: Bearer abcd1234.") == "bad token: Bearer <redacted>.")
        #expect(token.redacting("Bearer%20abcd1234 xabcd1234") == "Bearer%20<redacted> x<redacted>")
        #expect(token.redacting("abcd1234") == "<redacted>")
        let slashed = BearerToken("a1/b2+c3=")
        #expect(slashed.redacting("path /x/a1%2Fb2%2Bc3%3D/y and a1/b2+c3=") == "path /x/<redacted>/y and <redacted>")
    }
}
