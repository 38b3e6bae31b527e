import SupportSync

/// The bearer token, kept where printing, dumping or reflecting the client
/// cannot reach it. Only `authorization` reads it, to build the header.
struct BearerToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    init(_ value: String) {
        self.value = value
    }

    var authorization: String { "Bearer " + value }

    /// `text` with the token replaced wherever it stands as a whole word,
    /// as sent or percent-encoded (in any part, any case): a server may echo the request back in an
    /// error message or an error page, and whatever the server says may end
    /// up in an error or a log line. Inside a longer word (an agent id that
    /// holds the token's letters) it is left: that is not the token.
    func redacting(_ text: String) -> String { Redaction.redacting(value, in: text) }

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Why an `HTTPPlatform` could not be set up: a platform URL or token that
/// cannot work. A user error (the command exits 64); the description says
/// what to change and never contains the token.
public struct HTTPPlatformSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
