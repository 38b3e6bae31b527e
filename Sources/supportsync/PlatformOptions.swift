import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine

/// `--env NAME`, `--platform local|URL` and `--db PATH`, for the commands that reach the platform.
struct PlatformOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A platform named in supportsync.yaml (default: SUPPORTSYNC_ENV, else the file's default).",
            valueName: "name"))
    var env: String?

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

    var selection: PlatformSelection {
        var selection = PlatformSelection(platform: platform, database: db, environmentName: env)
        selection.announce = PlatformLine.announce
        // Retries as they happen, for a person watching; logs keep them otherwise.
        if isatty(STDERR_FILENO) == 1 { selection.onRetry = { printError($0) } }
        return selection
    }

    /// Runs `body` with the platform `target` names, closing it afterwards.
    func with<T>(
        _ target: PlatformSelection.Target, readsOnly: Bool = false,
        _ body: (any ManagedPlatform) async throws -> T
    ) async throws -> T {
        try await selection.with(
            target, readsOnly: readsOnly, logger: CommandLogging.logger("supportsync.platform"), body)
    }

    /// The platform of a ticket command: refused (64) for an environment whose tickets are not pulled.
    func ticketTarget(root: URL) throws -> PlatformSelection.Target {
        let target = try selection.resolve(root: root, ticketsOnly: true)
        guard target.pullTickets else { throw PlatformSelectionError.noTicketState(target.environment ?? "") }
        return target
    }
}

/// Which platform this run talked to, as announced on stderr: JSON
/// documents of the commands that reach one carry it as `platform`.
final class PlatformLine: @unchecked Sendable {  // every access holds `lock`
    static let shown = PlatformLine()

    private let lock = NSLock()
    private var stored: String?

    var value: String? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    /// Prints `platform: ...` on stderr and keeps it for the JSON document.
    static func announce(_ line: String) {
        shown.value = String(line.dropFirst("platform: ".count))
        printError(line)
    }
}

/// Prints a command's output; a JSON document gains `platform` when the
/// run talked to one.
func printOutput(_ text: String, json: Bool) {
    StandardOutput.shared.markPrinted()
    guard json, let platform = PlatformLine.shown.value else {
        print(text, terminator: "")
        return
    }
    print(JSONDocument.adding("platform", platform, to: text), terminator: "")
}
