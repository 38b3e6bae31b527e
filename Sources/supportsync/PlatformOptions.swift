import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine

/// `--platform local|URL` and `--db PATH`, for the commands that reach the platform.
struct PlatformOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "'local' or the URL of a server that speaks the platform API (default: SUPPORTSYNC_PLATFORM, else local; required when CI=true).",
            valueName: "local|URL"))
    var platform: String?

    @Option(
        name: .long, help: "The local platform's SQLite file (default: .supportsync/platform.sqlite).",
        completion: .file())
    var db: String?

    var selection: PlatformSelection { PlatformSelection(platform: platform, database: db) }

    /// Runs `body` with a connected platform, closing it afterwards.
    func with<T>(root: URL, _ body: (any AgentPlatform) async throws -> T) async throws -> T {
        try await selection.with(root: root, logger: CommandLogging.logger("supportsync.platform"), body)
    }
}
