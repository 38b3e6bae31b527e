import ArgumentParser
import SupportSync

extension SchemaDraft: ExpressibleByArgument {}

struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of an agent file (or, with --ticket, of a ticket file), for editors.",
        discussion: """
            supportsync init writes both, in draft-07, to config/schemas/ and maps them to \
            config/agents/*.yaml and tickets/**/*.yaml in .vscode/settings.json. By hand:

              supportsync schema --draft 7 > config/schemas/agent.schema.json

            and, at the top of an agent file:

              # yaml-language-server: $schema=../schemas/agent.schema.json
            """
    )

    @Option(name: .long, help: "The JSON Schema dialect: 7 (draft-07, what yaml-language-server reads) or 2020-12.")
    var draft: SchemaDraft = .draft2020

    @Flag(name: .long, help: "The schema of a ticket file instead of an agent file.")
    var ticket = false

    func run() async throws {
        let document = ticket ? TicketSchema.document(draft: draft) : AgentSchema.document(draft: draft)
        print(document.prettyPrinted(), terminator: "")
    }
}
