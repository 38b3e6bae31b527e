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
/// their documented exit code.
func reportingErrors(_ body: () async throws -> ExitStatus) async throws {
    let status: ExitStatus
    do {
        status = try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ConfigInvalid {
        printError(DiagnosticFormatter.text(error.report) + DiagnosticFormatter.summary(error.report))
        printError("error: \(error.description)")
        throw ExitCode(error.exitStatus)
    } catch let error as any UserError {
        printError("error: \(error.description)")
        throw ExitCode(error.exitStatus)
    } catch {
        printError("error: \(error)")
        throw ExitCode(ExitStatus.failure)
    }
    if status != .success { throw ExitCode(status) }
}
