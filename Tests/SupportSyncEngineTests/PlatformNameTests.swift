import Foundation
import SupportSync
import SupportSyncEngine
import TestSupport
import Testing

/// How output names a remote platform: never with its token (a path
/// segment equal to it, as written or percent-encoded) or a user name and
/// password, and with control characters escaped.
@Suite struct PlatformNameTests {
    func target(_ url: String, token: String = "secrettoken1") throws -> PlatformSelection.Target {
        let folder = try TemporaryFolder([:])
        return try PlatformSelection(platform: url, environment: ["SUPPORTSYNC_TOKEN": token]).resolve(root: folder.url)
    }

    @Test(arguments: [
        ("http://127.0.0.1:9/secrettoken1/", "http://127.0.0.1:9/<redacted>/"),
        ("http://127.0.0.1:9/%73ecrettoken1", "http://127.0.0.1:9/<redacted>"),
        ("http://127.0.0.1:9/api/secrettoken1/v2", "http://127.0.0.1:9/api/<redacted>/v2"),
        // A segment that only holds the token is kept: redaction is of whole segments.
        ("http://127.0.0.1:9/secrettoken12", "http://127.0.0.1:9/secrettoken12"),
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/"),
        // In a query or fragment with no path before it.
        ("http://127.0.0.1:9?token=secrettoken1", "http://127.0.0.1:9?token=<redacted>"),
        ("http://127.0.0.1:9#secrettoken1", "http://127.0.0.1:9#<redacted>"),
    ])
    func theTokenIsNeverInTheName(_ url: String, _ shown: String) throws {
        let target = try target(url)
        #expect(target.shownURL == shown)
        #expect(target.name == shown)
    }

    /// A token holding `/` written as it is spans segments: the path is
    /// hidden whole.
    @Test(arguments: [
        ("http://127.0.0.1:9/Zm9vYmFy/YmF6cXV4", "http://127.0.0.1:9/<redacted>"),
        ("http://127.0.0.1:9/api/Zm9vYmFy/YmF6cXV4/v1", "http://127.0.0.1:9/<redacted>"),
        // Encoded, the token is one segment, hidden as such.
        ("http://127.0.0.1:9/api/Zm9vYmFy%2FYmF6cXV4/v1", "http://127.0.0.1:9/api/<redacted>/v1"),
        ("http://127.0.0.1:9/Zm9vYmFy%2fYmF6cXV4", "http://127.0.0.1:9/<redacted>"),
    ])
    func aTokenHoldingASlashHidesThePath(_ url: String, _ shown: String) throws {
        let target = try target(url, token: "Zm9vYmFy/YmF6cXV4")
        #expect(target.shownURL == shown)
    }

    @Test func controlCharactersAreEscaped() throws {
        let target = try target("http://127.0.0.1:9/a%0Ab")
        #expect(target.shownURL == "http://127.0.0.1:9/a%0Ab", "percent-encoded text is shown as written")
        #expect(PrintableText.hidingUserInfo("https://carol:pw@example.com/x") == "https://***@example.com/x")
        #expect(PrintableText.hidingUserInfo("https://example.com/x@y") == "https://example.com/x@y")
    }

    /// An environment's url that is no http(s) URL (`local` in the variable
    /// it names) is said as the environment's, not as a --platform never given.
    @Test func anEnvironmentsURLThatIsNoURLIsNamedAsItsSetting() throws {
        let folder = try TemporaryFolder([
            "supportsync.yaml":
                "platforms:\n  production:\n    provider: http\n    url: env/SUPPORTSYNC_PLATFORM\ndefault: production\n"
        ])
        for (value, shown) in [("local", "'local'"), ("ftp://ann:pw@x.example\n", "'ftp://***@x.example\\n'")] {
            let error = #expect(throws: PlatformSelectionError.self) {
                try PlatformSelection(environment: ["SUPPORTSYNC_PLATFORM": value, "SUPPORTSYNC_TOKEN": "secrettoken1"])
                    .resolve(root: folder.url)
            }
            #expect(
                error?.description
                    == "environment 'production': url is env/SUPPORTSYNC_PLATFORM, which is \(shown), not an http(s) URL"
            )
        }
    }
}
