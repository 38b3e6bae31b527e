import Testing

@testable import PlatformClient

/// A token (at least 8 characters) is redacted wherever it stands as a
/// whole word, as sent or percent-encoded, and never inside a longer one.
@Suite struct RedactionTests {
    @Test func everyWholeOccurrence() {
        let token = BearerToken("abcd1234")
        #expect(token.redacting("GET /v1/agents/abcd1234 failed") == "GET /v1/agents/<redacted> failed")
        #expect(token.redacting("bad token: Bearer abcd1234.") == "bad token: Bearer <redacted>.")
        #expect(token.redacting("Bearer%20abcd1234 'abcd1234'") == "Bearer%20<redacted> '<redacted>'")
        #expect(token.redacting("abcd1234") == "<redacted>")
        #expect(token.redacting("?after=abcd1234&x=abcd1234") == "?after=<redacted>&x=<redacted>")
        // Inside a longer word it is not the token: redacting it would garble
        // the text, and tell what the token is by what it left.
        let short = BearerToken("billing-l")
        #expect(short.redacting("path=/v1/agents/billing-line") == "path=/v1/agents/billing-line")
        #expect(short.redacting("xbilling-l billing-l") == "xbilling-l <redacted>")
        #expect(token.redacting("abcd12345 abcd1234abcd1234") == "abcd12345 abcd1234abcd1234")
        let slashed = BearerToken("a1/b2+c3=")
        #expect(slashed.redacting("path /x/a1%2Fb2%2Bc3%3D/y and a1/b2+c3=") == "path /x/<redacted>/y and <redacted>")
        // Escapes in lower case are the same token.
        #expect(slashed.redacting("GET /a1%2fb2%2bc3%3d/v1") == "GET /<redacted>/v1")
        // Encoded in part, as a path-segment encoder leaves `+` and `=`, or
        // with any character escaped.
        #expect(slashed.redacting("GET /a1%2Fb2+c3=/v1") == "GET /<redacted>/v1")
        #expect(slashed.redacting("a1/b2%2Bc3%3d.") == "<redacted>.")
        #expect(token.redacting("x abcd%31234 y") == "x <redacted> y")
        #expect(token.redacting("%61bcd1234") == "<redacted>")
    }

    /// A mark or an invisible character right after the token (a variation
    /// selector, a combining accent) makes one longer character with its
    /// last letter, but shows the token all the same: it is redacted.
    @Test func aMarkAfterTheTokenDoesNotHideIt() {
        let token = BearerToken("Sup3rSecretTok")
        for mark in ["\u{FE0F}", "\u{0301}", "\u{200D}", "\u{200B}"] {
            #expect(
                token.redacting("HTTP 404: Sup3rSecretTok\(mark) end") == "HTTP 404: <redacted>\(mark) end",
                "\(mark.unicodeScalars.first!.value)")
            #expect(token.redacting("\(mark)Sup3rSecretTok") == "\(mark)<redacted>")
        }
        // A letter after it, with or without a mark, is still a longer word.
        #expect(token.redacting("Sup3rSecretTokX\u{FE0F}") == "Sup3rSecretTokX\u{FE0F}")
        #expect(token.redacting("é Sup3rSecretTok é") == "é <redacted> é")
        #expect(token.redacting("éSup3rSecretTok") == "éSup3rSecretTok")
    }
}
