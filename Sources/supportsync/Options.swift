import ArgumentParser
import Foundation
import SupportSync
import SupportSyncEngine
import SupportSyncGit

/// Options every command takes.
struct RepositoryOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The repository root (default: the git repository containing the current directory, or the current directory).",
        completion: .directory)
    var repo: String?

    /// The root that paths are reported relative to.
    func root() throws -> URL {
        try Workspace.root(explicit: repo)
    }
}

/// `--format text|json`, for the commands that print data rather than diagnostics.
enum DataFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ExitCode {
    init(_ status: ExitStatus) {
        self.init(status.rawValue)
    }
}

/// Writes to standard error: logs, progress and summaries, never data.
/// What was printed to standard output goes first, so the two read in
/// order when both go to one place (a terminal, `2>&1`).
func printError(_ text: String, terminator: String = "\n") {
    fflush(nil)
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

/// Runs a command body, turning library errors into a message on stderr and
/// their documented exit code. With `json` (`--format json`), a command that
/// fails before printing its document prints one of its failure instead, so
/// standard output always holds one JSON document.
func reportingErrors(json: Bool = false, _ body: () async throws -> ExitStatus) async throws {
    let status: ExitStatus
    do {
        status = try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ConfigInvalid {
        printError(DiagnosticFormatter.text(error.report) + DiagnosticFormatter.summary(error.report))
        printError("error: \(error.description)")
        if json { printFailure(error.description, error.exitStatus, error.report.diagnostics) }
        throw ExitCode(error.exitStatus)
    } catch let error as any UserError {
        if !error.diagnostics.isEmpty {
            printError(DiagnosticFormatter.text(DiagnosticReport(files: 1, diagnostics: error.diagnostics)))
        }
        printError("error: \(error.description)")
        if json { printFailure(error.description, error.exitStatus, error.diagnostics) }
        throw ExitCode(error.exitStatus)
    } catch {
        printError("error: \(error)")
        if json { printFailure("\(error)", .failure) }
        throw ExitCode(ExitStatus.failure)
    }
    if status != .success { throw ExitCode(status) }
}

/// `{"error", "exit_status", "diagnostics"}` on standard output, unless a
/// document went there already (a pull's batches committed before it failed).
func printFailure(_ message: String, _ status: ExitStatus, _ diagnostics: [Diagnostic] = []) {
    guard !StandardOutput.shared.printed else { return }
    struct Failure<Entries: Encodable>: Encodable {
        var error: String
        var exitStatus: Int
        var diagnostics: Entries
        enum CodingKeys: String, CodingKey {
            case error, diagnostics
            case exitStatus = "exit_status"
        }
    }
    let failure = Failure(
        error: message, exitStatus: Int(status.rawValue), diagnostics: DiagnosticFormatter.jsonEntries(diagnostics))
    printOutput(JSONDocument.render(failure), json: true)
}

/// Whether the command printed its output (through `printOutput`).
final class StandardOutput: @unchecked Sendable {  // every access holds `lock`
    static let shared = StandardOutput()
    private let lock = NSLock()
    private var wrote = false

    var printed: Bool { lock.withLock { wrote } }

    func markPrinted() { lock.withLock { wrote = true } }
}
