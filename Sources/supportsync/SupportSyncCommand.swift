import ArgumentParser
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
}
