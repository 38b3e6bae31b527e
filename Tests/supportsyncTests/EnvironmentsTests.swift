import Foundation
import LocalPlatform
import SupportSync
import TestSupport
import Testing

/// `supportsync.yaml`: two environments, each a served local platform, one
/// repository. Each gets config/ with its own overlay; only the one with
/// `pull_tickets: true` brings tickets into git, and syncing the other
/// never touches the ticket state.
@Suite struct EnvironmentsTests {
    static let project = """
        platforms:
          production:
            provider: http
            url: env/PROD_URL
            token: env/PROD_TOKEN
            pull_tickets: true
          staging:
            provider: http
            url: env/STAGING_URL
            token: env/STAGING_TOKEN
            overlay: config/environments/staging.yaml
        default: production

        """

    /// Staging rings the test desk, whatever an agent says, and fast.
    static let overlay = """
        support:
          escalate:
            destinations:
              - name: test-desk
                number: "+34910000099"
        agents:
          billing-line:
            support:
              escalate:
                ring_timeout: 10

        """

    func setUp(_ bench: TicketBench) throws {
        var paths = ["supportsync.yaml", "config/environments/staging.yaml", ConfigValidator.defaultsFile]
        try bench.writeFile("supportsync.yaml", Self.project)
        try bench.writeFile("config/environments/staging.yaml", Self.overlay)
        try bench.writeFile(ConfigValidator.defaultsFile, Scaffold.defaultsTemplate)
        for agent in Scaffold.exampleAgents {
            try bench.writeFile(agent.path, agent.text)
            paths.append(agent.path)
        }
        try bench.commitWorkingFiles(paths, message: "Add supportsync with two environments")
    }

    static func flag(_ database: String, conversation: String) async throws -> Ticket {
        try await LocalPlatform(path: database).createTicket(
            TicketDraft(
                agent: "returns-chat", channel: .messages, conversation: conversation, reason: "Cracked lid",
                customer: Customer(name: "Marta Ruiz", email: "marta@example.com"), fields: ["order_id": "A-1029"]),
            idempotencyKey: nil)
    }

    /// The repository set up, and each environment's platform served from a
    /// database of its own: `body` gets the variables `supportsync.yaml` reads.
    func withBothPlatforms(
        _ body: (_ bench: TicketBench, _ env: [String: String], _ stagingDB: String, _ productionDB: String)
            async throws -> Void
    ) async throws {
        let bench = try TicketBench()
        try setUp(bench)
        let stagingDB = bench.folder.url.appendingPathComponent("staging.sqlite").path
        let productionDB = bench.folder.url.appendingPathComponent("production.sqlite").path
        try await ServeProcess.with(database: productionDB, token: "prod-token-0001") { production in
            try await ServeProcess.with(database: stagingDB, token: "staging-token-0001") { staging in
                let env = [
                    "PROD_URL": production.url, "PROD_TOKEN": "prod-token-0001", "STAGING_URL": staging.url,
                    "STAGING_TOKEN": "staging-token-0001",
                ]
                try await body(bench, env, stagingDB, productionDB)
            }
        }
    }

    @Test func twoEnvironmentsEachGetTheirOverlayAndOnlyOneBringsTickets() async throws {
        try await withBothPlatforms { bench, env, stagingDB, productionDB in

            // validate checks every agent as merged for every environment.
            let validate = try await bench.run(["validate"], environment: env)
            #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")

            // Staging: the overlay applies; tickets are not pulled there.
            let stagingSync = try await bench.run(
                ["sync", "--env", "staging", "--format", "json"], environment: env)
            #expect(stagingSync.status == 0, "\(stagingSync.stdout)\(stagingSync.stderr)")
            let stagingReport = try ticketJSON(stagingSync.stdout)
            #expect(stagingReport["environment"] as? String == "staging")
            #expect(stagingReport["tickets_pulled"] as? Bool == false)
            let stagingBilling = try #require(try await LocalPlatform(path: stagingDB).agent(id: "billing-line"))
            #expect(stagingBilling.support.escalate?.destinations.map(\.name) == ["test-desk"])
            #expect(stagingBilling.support.escalate?.ringTimeout == 10)
            let stagingConcierge = try #require(try await LocalPlatform(path: stagingDB).agent(id: "concierge"))
            #expect(stagingConcierge.support.escalate?.destinations.map(\.name) == ["test-desk"])

            // Production, the default: the agents as config/ has them.
            let productionSync = try await bench.run(["sync"], environment: env)
            #expect(productionSync.status == 0, "\(productionSync.stdout)\(productionSync.stderr)")
            #expect(productionSync.stdout.contains("  environment: production\n"))
            let productionBilling = try #require(
                try await LocalPlatform(path: productionDB).agent(id: "billing-line"))
            #expect(productionBilling.support.escalate?.destinations.map(\.name) == ["billing-desk", "on-call"])
            #expect(productionBilling.support.escalate?.ringTimeout == 25)

            // Each plan is clean afterwards, and names its environment.
            for environment in ["staging", "production"] {
                let plan = try await bench.run(
                    ["plan", "--env", environment, "--detailed-exitcode"], environment: env)
                #expect(plan.status == 0, "\(environment): \(plan.stdout)\(plan.stderr)")
                #expect(plan.stdout.hasPrefix("Environment: \(environment)\n"))
            }

            // A ticket on each platform: only production's reaches git.
            let productionTicket = try await Self.flag(productionDB, conversation: "conv_prod")
            let stagingTicket = try await Self.flag(stagingDB, conversation: "conv_staging")
            let pulled = try await bench.run(["sync"], environment: env)
            #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
            #expect(pulled.stdout.contains("tickets pulled: 1 new: \(productionTicket.id)"))
            let paths = try await bench.ticketPaths()
            #expect(paths.contains { $0.hasSuffix("/\(productionTicket.id).yaml") })
            #expect(!paths.contains { $0.hasSuffix("/\(stagingTicket.id).yaml") })

            // Staging's sync leaves the branch, the cursor and the platform base alone.
            let tip = try await bench.tip()
            let base = try await bench.tip("refs/supportsync/platform")
            let again = try await bench.run(["sync", "--env", "staging"], environment: env)
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(again.stdout.contains("tickets: not pulled in environment staging"))
            #expect(try await bench.tip() == tip)
            #expect(try await bench.tip("refs/supportsync/platform") == base)
            #expect(try await bench.status().isEmpty)

            // Ticket commands refuse an environment without ticket state.
            let refused = try await bench.run(["tickets", "pull", "--env", "staging"], environment: env)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("environment 'staging' has no ticket state"))
            let unknown = try await bench.run(["plan", "--env", "stagign"], environment: env)
            #expect(unknown.status == 64)
            #expect(unknown.stderr.contains("did you mean 'staging'?"))
        }
    }

    /// Imported from staging, a file holds staging's live values, the
    /// overlay's among them (its test desk): import names those fields, so
    /// the review sees what production would plan. Production's import
    /// (no overlay) names none.
    @Test func anImportFromAnEnvironmentNamesTheFieldsItsOverlaySets() async throws {
        try await withBothPlatforms { bench, env, stagingDB, productionDB in
            for environment in ["staging", "production"] {
                let synced = try await bench.run(["sync", "--env", environment], environment: env)
                #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
            }
            let imported = try await bench.run(
                ["import", "--env", "staging", "--overwrite", "--agent", "billing-line"], environment: env)
            #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
            #expect(
                imported.stdout.contains(
                    "  overlay: config/environments/staging.yaml sets support.escalate.destinations[0].name, support.escalate.destinations[0].number, support.escalate.ring_timeout: the file holds this environment's live values of them"
                ), "\(imported.stdout)")
            let json = try await bench.run(
                ["import", "--env", "staging", "--overwrite", "--agent", "billing-line", "--format", "json"],
                environment: env)
            let document = try ticketJSON(json.stdout)
            let overlaid = try #require((document["overlaid"] as? [[String: Any]])?.first, "\(json.stdout)")
            #expect(overlaid["path"] as? String == "config/agents/billing-line.yaml")
            #expect((overlaid["fields"] as? [String])?.contains("support.escalate.ring_timeout") == true)
            // Production has no overlay: nothing to name.
            let fromProduction = try await bench.run(
                ["import", "--overwrite", "--agent", "billing-line", "--format", "json"], environment: env)
            #expect(fromProduction.status == 0, "\(fromProduction.stdout)\(fromProduction.stderr)")
            #expect((try ticketJSON(fromProduction.stdout)["overlaid"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aProjectFileWithErrorsStopsEveryPlatformCommand() async throws {
        let bench = try TicketBench()
        try setUp(bench)
        try bench.writeFile(
            "supportsync.yaml", Self.project.replacingOccurrences(of: "env/STAGING_TOKEN", with: "s3cret-token"))
        let plan = try await bench.run(
            ["plan"], environment: ["PROD_URL": "http://127.0.0.1:9", "PROD_TOKEN": "prod-token-1"])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("supportsync.yaml:10:12: error: a token is a secret"))
        #expect(plan.stderr.contains("error: supportsync.yaml has errors (above)"))
        #expect(!plan.stderr.contains("s3cret-token"), "the literal token is never printed")
    }

    @Test func aLocalEnvironmentInCINeedsCITrue() async throws {
        let bench = try TicketBench()
        try setUp(bench)
        let local = """
            platforms:
              dev:
                provider: local
                db: .supportsync/dev.sqlite
                pull_tickets: true
            default: dev

            """
        try bench.writeFile("supportsync.yaml", local)
        let refused = try await bench.run(["plan"], environment: ["CI": "true"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("add ci: true"))
        try bench.writeFile(
            "supportsync.yaml",
            local.replacingOccurrences(of: "pull_tickets: true", with: "pull_tickets: true\n    ci: true"))
        let allowed = try await bench.run(["plan"], environment: ["CI": "true"])
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(allowed.stderr.contains(".supportsync/dev.sqlite: none yet, read as empty"), "\(allowed.stderr)")
        let applied = try await bench.run(["apply"], environment: ["CI": "true"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: bench.root.appendingPathComponent(".supportsync/dev.sqlite").path))
    }
}

/// Each command offers only the output formats it implements.
@Suite struct OutputFormatOfferTests {
    @Test(arguments: [
        ["tickets", "pull"], ["tickets", "push"], ["tickets", "list"], ["tickets", "show", "T-1"],
        ["tickets", "history", "T-1"], ["sync"], ["apply"], ["plan"], ["init"],
    ])
    func githubIsOfferedOnlyWhereAnnotationsAre(_ command: [String]) throws {
        let folder = try TemporaryFolder()
        let result = try Executable.run(command + ["--format", "github"], in: folder.url)
        #expect(result.status == 64, "\(command): \(result.stderr)")
        #expect(result.stderr.contains("github"))
    }

    /// CI counts the same with and without supportsync.yaml: any value but empty, false or 0.
    @Test(arguments: ["true", "1", "yes"])
    func ciWithoutAPlatformIsAUsageError(_ value: String) throws {
        let folder = try TemporaryFolder(["config/agents/.gitkeep": ""])
        let refused = try Executable.run(
            ["plan"], in: folder.url, environment: ["CI": value, "SUPPORTSYNC_PLATFORM": ""])
        #expect(refused.status == 64, "\(refused.stderr)")
        let local = try Executable.run(
            ["plan"], in: folder.url, environment: ["CI": "false", "SUPPORTSYNC_PLATFORM": ""])
        #expect(local.status == 0, "\(local.stderr)")
    }

    @Test func validateEnvMustNameAnEnvironment() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "supportsync.yaml",
            "platforms:\n  production:\n    provider: http\n    url: env/X\ndefault: production\n")
        #expect(try Executable.run(["validate", "--env", "production"], in: folder.url).status == 0)
        let unknown = try Executable.run(["validate", "--env", "prod"], in: folder.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no environment 'prod'"))
    }
}
