import ArgumentParser
import SupportSync

struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (2020-12) of an agent file, for editors.",
        discussion: """
            For yaml-language-server, save it and point agent files at it:
              supportsync schema > agent.schema.json
              # yaml-language-server: $schema=../../agent.schema.json
            """
    )

    func run() async throws {
        print(AgentSchema.document.prettyPrinted(), terminator: "")
    }
}
