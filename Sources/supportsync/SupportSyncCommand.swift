import ArgumentParser
import CMalloc
import Foundation
import SupportSync

@main
struct SupportSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supportsync",
        abstract: "GitOps for AI support agents: support settings and flagged tickets in git.",
        version: SupportSyncVersion.current,
        subcommands: [
            ValidateCommand.self, ExplainCommand.self, TestCommand.self, SchemaCommand.self, PlanCommand.self,
            ApplyCommand.self, ImportCommand.self,
            TicketsCommand.self, AuditCommand.self, SyncCommand.self, PlatformCommand.self, InitCommand.self,
        ]
    )

    /// Parses and runs as ArgumentParser does, after naming the command a
    /// mistyped one was probably meant to be.
    static func main() async {
        #if canImport(Glibc)
            // glibc raises its mmap threshold each time a large buffer is
            // freed, after which a pull's batch-sized buffers come from the
            // heap and stay there, fragmented, for the rest of the run:
            // fixing the threshold returns them to the system (fixed at 128
            // KiB, a 100,000-ticket pull peaked about 20 MiB lower). Fixed
            // just above 1 MiB, not at glibc's default of 128 KiB: libgit2
            // takes a 1 MiB buffer for each object it packs, which would
            // otherwise be mapped, faulted in and unmapped again for every
            // ticket a pull writes.
            _ = mallopt(M_MMAP_THRESHOLD, (1 << 20) + (64 << 10))
            // One heap per core, not glibc's eight: a pull's threads
            // (decoding, writing files, HTTP) each fill a heap of their own
            // otherwise, and the memory freed in each stays apart from the
            // others (a 100,000-ticket pull peaked about 10 MiB lower).
            _ = mallopt(M_ARENA_MAX, Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
        #endif
        // Before any logger exists, so every one of them logs this way.
        _ = CommandLogging.bootstrap
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = unknownSubcommand(arguments) {
            refuse(ValidationError(problem), arguments: arguments)
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            refuse(error, arguments: arguments)
        }
        do {
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Exits for arguments that do not parse, as ArgumentParser does; when
    /// they ask for JSON, standard output holds the error document too, as
    /// for every other error (help and `--version` print as they are).
    static func refuse(_ error: any Error, arguments: [String]) -> Never {
        let code = exitCode(for: error)
        if code != .success, asksForJSON(arguments) {
            printFailure(message(for: error), ExitStatus(rawValue: code.rawValue) ?? .usage)
        }
        exit(withError: error)
    }

    /// `--format json` or `--format=json` among the arguments.
    static func asksForJSON(_ arguments: [String]) -> Bool {
        zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
            || arguments.contains("--format=json")
    }

    /// "unknown command 'tickts'; did you mean 'tickets'?" for a word where
    /// a subcommand must be; nil when the arguments name commands.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        var level: any ParsableCommand.Type = Self.self
        var path = ["supportsync"]
        for argument in arguments {
            let subcommands = level.configuration.subcommands
            guard !subcommands.isEmpty, !argument.hasPrefix("-") else { return nil }
            let names = subcommands.map { $0.configuration.commandName ?? "" }
            guard let index = names.firstIndex(of: argument) else {
                if argument == "help" { return nil }
                let suggestion = Suggestion.closest(to: argument, in: names)
                return "unknown command '\(argument)' for '\(path.joined(separator: " "))'; "
                    + (suggestion.map { "did you mean '\($0)'?" }
                        ?? "the commands are \(names.joined(separator: ", "))")
            }
            level = subcommands[index]
            path.append(argument)
        }
        return nil
    }
}
