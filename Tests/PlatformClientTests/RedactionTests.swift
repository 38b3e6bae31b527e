import Testing

@testable import PlatformClient

/// A token is redacted as a whole word, as sent or percent-encoded, and
/// never inside a longer word, so messages stay readable.
@Suite struct RedactionTests {
    @Test func wholeTokensOnly() {
        let token = BearerToken("abcd1234")
        #expect(token.redacting("GET /v1/agents/abcd1234 failed") == "GET /v1/agents/<redacted> failed")
        #expect(token.redacting("bad token: Bearer abcd1234.") == "bad token: Bearer <redacted>.")
        #expect(
            token.redacting("xabcd1234 abcd12345 abcd1234-x _abcd1234") == "xabcd1234 abcd12345 abcd1234-x _abcd1234")
        #expect(token.redacting("abcd1234") == "<redacted>")
        let slashed = BearerToken("a1/b2+c3=")
        #expect(slashed.redacting("path /x/a1%2Fb2%2Bc3%3D/y and a1/b2+c3=") == "path /x/<redacted>/y and <redacted>")
    }
}
