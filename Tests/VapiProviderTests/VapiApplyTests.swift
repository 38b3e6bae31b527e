import Foundation
import SupportSync
import TestSupport
import Testing
import VapiProvider

/// `provider: vapi` end to end: the built executable against the fake Vapi,
/// which checks every request against Vapi's document.
@Suite(.serialized) struct VapiApplyTests {
    static func project(strict: Bool = false, webhook: String? = nil) -> String {
        """
        platforms:
          production:
            provider: vapi
            url: env/VAPI_URL
            token: env/VAPI_TOKEN
            strict_supports: \(strict)
        \(webhook.map { "    flag_webhook: \($0)\n" } ?? "")default: production

        """
    }

    struct Bench {
        let fake: FakeVapi
        let repository: ExampleRepository

        init(project: String = VapiApplyTests.project(), rate: Int = 0) throws {
            fake = try FakeVapi(rate: rate)
            repository = try ExampleRepository(extraFiles: [Scaffold.File(path: ProjectFile.path, text: project)])
        }

        func run(_ arguments: [String], in folder: URL? = nil, url: String? = nil) async throws -> Executable.Result {
            let environment = ["VAPI_URL": url ?? fake.url, "VAPI_TOKEN": FakeVapi.token]
            let root = folder ?? repository.root
            return try await Self.offload { try Executable.run(arguments, in: root, environment: environment) }
        }

        static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
            }
        }

        /// The assistants bound to agents, by agent id.
        func bound() async throws -> [String: JSONValue] {
            var found: [String: JSONValue] = [:]
            for assistant in try await fake.state().assistants {
                if let agent = assistant["metadata"]?["supportsync"]?["agent"]?.string { found[agent] = assistant }
            }
            return found
        }
    }

    @Test func applyCreatesTheAssistantsAndASecondPlanIsEmpty() async throws {
        let bench = try Bench()
        let plan = try await bench.run(["plan"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("+ create billing-line"))
        #expect(plan.stdout.contains("provider: support.escalate.hours: transfers at any time"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Conditional writes are emulated"))
        // No flag_webhook: returns-chat's required fields come from the extraction only.
        #expect(plan.stdout.contains("will not be prompted to collect the required fields"), "\(plan.stdout)")

        let apply = try await bench.run(["apply"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Conditional writes were emulated"))
        let bound = try await bench.bound()
        #expect(Set(bound.keys) == ["billing-line", "concierge", "returns-chat", "store-info"])
        let (_, tools) = try await bench.fake.state()
        // billing-line and concierge may transfer; nobody has a webhook, so no flag tool.
        #expect(tools.count == 2)
        #expect(tools.allSatisfy { $0["type"]?.string == "transferCall" })
        let billing = try #require(bound["billing-line"])
        let transferID = try #require(billing["metadata"]?["supportsync"]?["tools"]?["transfer"]?.string)
        #expect(billing["model"]?["toolIds"]?.strings == [transferID])
        let transfer = try #require(tools.first { $0["id"]?.string == transferID })
        #expect(
            transfer["destinations"]?.array?.map { $0["description"]?.string } == [
                "Transfer to billing-desk", "Transfer to on-call",
            ])
        #expect(transfer["destinations"]?.array?.first?["extension"]?.string == "204")
        // returns-chat flags: the extraction asks for the collect fields.
        let returns = try #require(bound["returns-chat"])
        let output = try #require(returns["artifactPlan"]?["structuredOutputs"]?.array?.first)
        #expect(output["name"]?.string == VapiSlice.outputName)
        #expect(output["schema"]?["required"]?.strings == ["flagged", "email", "order_id"])
        #expect(bound["store-info"]?["model"]?["toolIds"] == nil)

        try await bench.fake.clearRequests()
        let again = try await bench.run(["plan", "--detailed-exitcode"])
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.contains("No changes"))
        // A plan with no changes reads the assistants and the tools, once
        // each: a page, then the page after it that brings nothing new.
        let requests = try await bench.fake.requests()
        #expect(
            requests.map { "\($0["method"]?.string ?? "") \($0["path"]?.string ?? "")" }.sorted() == [
                "GET /assistant", "GET /assistant", "GET /tool", "GET /tool",
            ])
        #expect(try await bench.fake.failures().isEmpty)
    }

    @Test func explainAndTestDescribeWhatVapiDoes() async throws {
        let bench = try Bench()
        let explain = try await bench.run(["explain", "billing-line"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("What this environment's provider cannot express"))
        #expect(explain.stdout.contains("support.escalate.hours: transfers at any time"))
        // Without hours, every day is alike: a call is transferred at 03:00 on Sunday.
        let night = try await bench.run(["explain", "billing-line", "--at", "2026-12-06T03:00:00+01:00"])
        #expect(night.status == 0, "\(night.stderr)")
        #expect(night.stdout.lowercased().contains("transfer"), "\(night.stdout)")
        #expect(try await bench.fake.requests().isEmpty)
    }

    @Test func strictRefusesBeforeAnyRequest() async throws {
        let bench = try Bench(project: VapiApplyTests.project(strict: true))
        let plan = try await bench.run(["plan"])
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("config/agents/billing-line.yaml:"), "\(plan.stderr)")
        #expect(plan.stderr.contains("cannot express support.escalate.hours"))
        #expect(try await bench.fake.requests().isEmpty)
    }

    @Test func aDashboardEditBetweenPlanAndApplyIsRefused() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        try bench.repository.write(
            "config/agents/billing-line.yaml",
            String(
                decoding: try Data(
                    contentsOf: bench.repository.root.appendingPathComponent("config/agents/billing-line.yaml")),
                as: UTF8.self
            )
            .replacingOccurrences(of: "Connecting you with a colleague from billing.", with: "One moment, please."))
        let planFile = bench.repository.folder.url.appendingPathComponent("plan.json").path
        let plan = try await bench.run(["plan", "--out", planFile])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("~ update billing-line"))

        // Someone changes a destination on Vapi's dashboard meanwhile.
        let toolID = try #require(
            try await bench.bound()["billing-line"]?["metadata"]?["supportsync"]?["tools"]?["transfer"]?.string)
        let edited: JSONValue = .object([
            "destinations": .array([.object(["type": .string("number"), "number": .string("+34910000123")])])
        ])
        try await bench.fake.call("POST", "/__fake/tools/\(toolID)/edit", edited)
        // A new plan shows the edit, read back from the tool.
        let replan = try await bench.run(["plan"])
        #expect(replan.stdout.contains("support.escalate.destinations"), "\(replan.stdout)")
        #expect(replan.stdout.contains("+34910000123"))
        try await bench.fake.clearRequests()

        let apply = try await bench.run(["apply", "--plan", planFile])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect((apply.stdout + apply.stderr).contains("changed on Vapi since the plan"))
        let writes = try await bench.fake.requests().filter { $0["method"]?.string != "GET" }
        #expect(writes.isEmpty, "\(writes)")
        let tool = try #require(try await bench.fake.state().tools.first { $0["id"]?.string == toolID })
        #expect(tool["destinations"]?.array?.first?["number"]?.string == "+34910000123")
    }

    /// A plan that creates, applied after another apply created the same
    /// agents: each is found bound (emulated check), and nothing more is
    /// created on Vapi.
    @Test func anAgentCreatedBetweenPlanAndApplyIsNotCreatedTwice() async throws {
        let bench = try Bench()
        let planFile = bench.repository.folder.url.appendingPathComponent("plan.json").path
        let plan = try await bench.run(["plan", "--out", planFile])
        #expect(plan.status == 0 && plan.stdout.contains("+ create billing-line"), "\(plan.stdout)\(plan.stderr)")
        #expect(try await bench.run(["apply"]).status == 0)
        let assistants = try await bench.fake.state().assistants.count
        try await bench.fake.clearRequests()

        let apply = try await bench.run(["apply", "--plan", planFile])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stdout.contains(
                "agent billing-line was created on the platform since the plan; nothing was overwritten"),
            "\(apply.stdout)")
        let writes = try await bench.fake.requests().filter { $0["method"]?.string != "GET" }
        #expect(writes.isEmpty, "\(writes)")
        #expect(try await bench.fake.state().assistants.count == assistants)
    }

    @Test func anEditToThePromptIsKeptByApply() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        let billing = try #require(try await bench.bound()["billing-line"])
        let id = try #require(billing["id"]?.string)
        var model = try #require(billing["model"])
        model["messages"] = .array([
            .object(["role": .string("system"), "content": .string("You are the billing line of Example Ltd.")])
        ])
        model["temperature"] = .number(0.3)
        try await bench.fake.call(
            "POST", "/__fake/assistants/\(id)/edit", .object(["model": model, "firstMessage": .string("Hello!")]))

        let plan = try await bench.run(["plan", "--detailed-exitcode"])
        #expect(plan.status == 0, "the prompt is not supportsync's: \(plan.stdout)")

        let path = bench.repository.root.appendingPathComponent("config/agents/billing-line.yaml")
        let text = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
            of: "    transfer: warm\n    summary: true\n", with: "    transfer: cold\n")
        try bench.repository.write("config/agents/billing-line.yaml", text)
        let apply = try await bench.run(["apply"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let after = try #require(try await bench.bound()["billing-line"])
        #expect(after["model"]?["messages"] == model["messages"])
        #expect(after["model"]?["temperature"] == .number(0.3))
        #expect(after["model"]?["toolIds"] == billing["model"]?["toolIds"])
        #expect(after["firstMessage"]?.string == "Hello!")
        let tools = try await bench.fake.state().tools
        let transfer = try #require(tools.first { $0["id"] == billing["model"]?["toolIds"]?.array?.first })
        #expect(transfer["destinations"]?.array?.first?["transferPlan"]?["mode"]?.string == "blind-transfer")
        #expect(try await bench.fake.failures().isEmpty)
    }

    @Test func removingTheWebhookIsPlannedAndApplied() async throws {
        let bench = try Bench(project: VapiApplyTests.project(webhook: "https://hooks.example.com/flag"))
        #expect(try await bench.run(["apply"]).status == 0)
        let withTool = try #require(try await bench.bound()["returns-chat"])
        let flagID = try #require(withTool["metadata"]?["supportsync"]?["tools"]?["flag"]?.string)
        #expect(withTool["model"]?["toolIds"]?.strings == [flagID])

        try bench.repository.write(ProjectFile.path, VapiApplyTests.project())
        let plan = try await bench.run(["plan"])
        #expect(plan.stdout.contains("~ update returns-chat"), "\(plan.stdout)")
        #expect(
            plan.stdout.contains("vapi.flag_tool.server.url: https://hooks.example.com/… (sha256 ")
                && plan.stdout.contains(") -> (none)"), "\(plan.stdout)")
        #expect(try await bench.run(["apply"]).status == 0)
        let after = try #require(try await bench.bound()["returns-chat"])
        #expect(after["model"]?["toolIds"]?.strings == [])
        #expect(try await bench.fake.state().tools.allSatisfy { $0["id"]?.string != flagID })
        let again = try await bench.run(["plan", "--detailed-exitcode"])
        #expect(again.status == 0, "\(again.stdout)")
    }

    /// The flag tool's URL edited on Vapi's dashboard is drift, told from a
    /// changed `flag_webhook` by the digest the last apply left in the
    /// binding; apply puts the URL back and says so.
    @Test func aFlagToolURLEditedOnVapiIsDriftAndPutBack() async throws {
        let webhook = "https://hooks.example.com/flag"
        let bench = try Bench(project: VapiApplyTests.project(webhook: webhook))
        #expect(try await bench.run(["apply"]).status == 0)
        let assistant = try #require(try await bench.bound()["returns-chat"])
        let flagID = try #require(assistant["metadata"]?["supportsync"]?["tools"]?["flag"]?.string)
        let digest = try #require(assistant["metadata"]?["supportsync"]?["tools"]?["flag_url_sha256"]?.string)
        #expect(digest.count == 32 && !digest.contains("hooks"), "\(digest)")

        try await bench.fake.call(
            "POST", "/__fake/tools/\(flagID)/edit",
            .object(["server": .object(["url": .string("https://elsewhere.example.net/catch")])]))
        for format in ["text", "json"] {
            let plan = try await bench.run(["plan", "--format", format])
            #expect(plan.status == 0, "\(plan.stderr)")
            if format == "text" {
                #expect(plan.stdout.contains("~ update returns-chat"), "\(plan.stdout)")
                #expect(
                    plan.stdout.contains(
                        "edited on the platform since the last apply; apply puts back: vapi.flag_tool.server.url"),
                    "\(plan.stdout)")
            } else {
                let json = try JSONDecoder().decode(JSONValue.self, from: Data(plan.stdout.utf8))
                let agent = try #require(json["agents"]?.array?.first { $0["id"]?.string == "returns-chat" })
                #expect(agent["drift"]?.strings == ["vapi.flag_tool.server.url"], "\(plan.stdout)")
            }
        }
        let apply = try await bench.run(["apply"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(
            apply.stdout.contains(
                "put back what was edited on the platform since the last apply: vapi.flag_tool.server.url"),
            "\(apply.stdout)")
        let tool = try #require(try await bench.fake.state().tools.first { $0["id"]?.string == flagID })
        #expect(tool["server"]?["url"]?.string == webhook)
        #expect(try await bench.run(["plan", "--detailed-exitcode"]).status == 0)
        #expect(try await bench.fake.failures().isEmpty)
    }

    /// A copy of production's assistant made on Vapi's dashboard keeps its
    /// metadata, tool ids included; bound to staging by hand, its apply
    /// gives it a transfer tool of its own and leaves production's alone.
    @Test func aCopiedAssistantGetsToolsOfItsOwnAndLeavesTheOriginals() async throws {
        // Production as everywhere here, and staging on the same organization.
        let stagingPlatform =
            "  staging:\n    provider: vapi\n    url: env/VAPI_URL\n    token: env/VAPI_TOKEN\n"
            + "    strict_supports: false\n    overlay: config/environments/staging.yaml\n"
        let project = Self.project().replacingOccurrences(
            of: "default: production", with: stagingPlatform + "default: production")
        let bench = try Bench(project: project)
        try bench.repository.write(
            "config/environments/staging.yaml",
            "support:\n  escalate:\n    destinations:\n      - name: test-desk\n        number: \"+34910000099\"\n")
        #expect(try await bench.run(["apply"]).status == 0)
        let original = try #require(try await bench.bound()["billing-line"])
        let transfer = try #require(original["metadata"]?["supportsync"]?["tools"]?["transfer"]?.string)
        let before = try #require(try await bench.fake.state().tools.first { $0["id"]?.string == transfer })
        // The copy, bound to staging by hand.
        var metadata = try #require(original["metadata"]?["supportsync"]?.object)
        metadata["environment"] = .string("staging")
        _ = try await bench.fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Billing line (staging)"), "model": try #require(original["model"]),
                "metadata": .object(["supportsync": .object(metadata)]),
            ]), token: true)
        // Production applied first, with a change of its own: the original
        // keeps its tool (the copy is the newer), changed in place.
        let file = try String(
            contentsOf: bench.repository.root.appendingPathComponent("config/agents/billing-line.yaml"), encoding: .utf8
        )
        try bench.repository.write(
            "config/agents/billing-line.yaml", file.replacingOccurrences(of: "+34910000000", with: "+34910000001"))
        let production = try await bench.run(["apply", "--agent", "billing-line"])
        #expect(production.status == 0, "\(production.stdout)\(production.stderr)")
        #expect(
            try await bench.bound()["billing-line"]?["metadata"]?["supportsync"]?["tools"]?["transfer"]?.string
                == transfer)
        let changed = try #require(try await bench.fake.state().tools.first { $0["id"]?.string == transfer })
        #expect(changed != before && "\(changed)".contains("+34910000001"), "\(changed)")
        let staging = try await bench.run(["apply", "--env", "staging", "--agent", "billing-line"])
        #expect(staging.status == 0, "\(staging.stdout)\(staging.stderr)")
        let after = try #require(try await bench.fake.state().tools.first { $0["id"]?.string == transfer })
        #expect(after == changed, "production's transfer tool is untouched by staging")
        let copy = try #require(
            try await bench.fake.state().assistants.first {
                $0["metadata"]?["supportsync"]?["environment"]?.string == "staging"
            })
        let own = try #require(copy["metadata"]?["supportsync"]?["tools"]?["transfer"]?.string)
        #expect(own != transfer)
        #expect(copy["model"]?["toolIds"]?.strings?.contains(transfer) == false, "\(copy)")
        #expect(try await bench.run(["plan", "--detailed-exitcode"]).status == 0, "production unchanged")
        #expect(
            try await bench.run(["plan", "--env", "staging", "--detailed-exitcode", "--agent", "billing-line"]).status
                == 0)
    }

    /// Each refusal of Vapi's says what to check: a list Vapi does not
    /// have is the wrong URL (a platform failure, exit 3), a 401 the key.
    @Test func refusalsSayWhatToCheck() async throws {
        let bench = try Bench()
        for (status, said, exit) in [
            (404, "check the environment's url in supportsync.yaml", Int32(3)),
            (401, "Vapi refused the API key; check the environment's token in supportsync.yaml", 3),
            (403, "the API key may not do this", 3),
        ] {
            try await bench.fake.fault(
                .object([
                    "method": .string("GET"), "path": .string("/assistant"), "exact": .bool(true),
                    "kind": .string("status"), "status": .integer(Int64(status)), "times": .integer(1),
                ]))
            let plan = try await bench.run(["plan"])
            #expect(plan.status == exit, "\(status): \(plan.stdout)\(plan.stderr)")
            #expect(plan.stderr.contains(said), "\(status): \(plan.stderr)")
        }
    }

    /// Vapi echoing the webhook URL in an error (a key in its query) is
    /// shown with the URL as plan shows it.
    @Test func aWebhookVapiEchoesInAnErrorIsNotPrinted() async throws {
        let webhook = "https://hooks.example.com/flag?key=HOOKSECRET1"
        let bench = try Bench(project: VapiApplyTests.project(webhook: webhook))
        try await bench.fake.fault(
            .object([
                "kind": .string("status"), "method": .string("POST"), "path": .string("/tool"),
                "status": .integer(400), "times": .integer(10),
                "body": .object([
                    "message": .string("server.url \(webhook) is not reachable"), "statusCode": .integer(400),
                ]),
            ]))
        let apply = try await bench.run(["apply"])
        #expect(apply.status != 0, "\(apply.stdout)\(apply.stderr)")
        let said = apply.stdout + apply.stderr
        #expect(said.contains("server.url https://hooks.example.com/… (sha256 "), "\(said)")
        #expect(!said.contains("HOOKSECRET1"), "\(said)")
    }

    /// A flag_webhook new to the environment adds the flag tool: the plan
    /// names that change (no drift of the flag settings, which the last
    /// apply wrote and Vapi holds), and a URL's secrets are never printed.
    @Test func addingOrChangingTheWebhookIsPlannedWithoutItsSecrets() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        try bench.repository.write(
            ProjectFile.path,
            VapiApplyTests.project(webhook: "https://user:PASSWD@hooks.example.com/catch/PATHSECRET/?key=SECRET1"))
        for format in ["text", "json", "markdown"] {
            let plan = try await bench.run(["plan", "--format", format])
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(
                !plan.stdout.contains("PASSWD") && !plan.stdout.contains("SECRET1")
                    && !plan.stdout.contains("PATHSECRET") && !plan.stdout.contains("user"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("support.flag"), "no settings change: \(plan.stdout)")
            #expect(!plan.stdout.contains("since the last apply"), "no drift: \(plan.stdout)")
            if format == "text" {
                #expect(
                    plan.stdout.contains(
                        "vapi.flag_tool: (none) -> supportsync_flag posting to https://hooks.example.com/… (sha256 "),
                    "\(plan.stdout)")
            }
        }
        #expect(try await bench.run(["apply"]).status == 0)
        let withTool = try #require(try await bench.bound()["returns-chat"])
        #expect(withTool["metadata"]?["supportsync"]?["tools"]?["flag"]?.string != nil)
        #expect(try await bench.run(["plan", "--detailed-exitcode"]).status == 0)

        // Another key in the query: a change, said without either key.
        try bench.repository.write(
            ProjectFile.path,
            VapiApplyTests.project(webhook: "https://user:PASSWD@hooks.example.com/catch/PATHSECRET/?key=SECRET2"))
        let plan = try await bench.run(["plan"])
        #expect(!plan.stdout.contains("SECRET") && !plan.stdout.contains("PASSWD"), "\(plan.stdout)")
        let line = try #require(
            plan.stdout.split(separator: "\n").first { $0.contains("vapi.flag_tool.server.url: ") }, "\(plan.stdout)")
        // Two URLs told apart by their digests only.
        let shown = line.components(separatedBy: " -> ")
        #expect(shown.count == 2 && shown[0] != shown[1], "\(line)")
        #expect(shown.allSatisfy { $0.contains("https://hooks.example.com/… (sha256 ") }, "\(line)")
        #expect(!plan.stdout.contains("since the last apply"), "no drift: \(plan.stdout)")
        #expect(try await bench.fake.failures().isEmpty)
    }

    @Test func anUnboundAssistantOfTheSameNameIsTakenOver() async throws {
        let bench = try Bench()
        let existing = try await bench.fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Store information"),
                "model": .object(["provider": .string("openai"), "model": .string("gpt-4o")]),
            ]), token: true)
        let plan = try await bench.run(["plan"])
        #expect(plan.stdout.contains("~ update store-info"), "\(plan.stdout)")
        #expect(plan.stdout.contains("takes over 'Store information'"))
        #expect(try await bench.run(["apply"]).status == 0)
        let assistants = try await bench.fake.state().assistants
        #expect(assistants.count == 4)
        #expect(try await bench.bound()["store-info"]?["id"] == existing["id"])
    }

    /// An assistant without a model cannot carry tools: taking it over for
    /// an agent that transfers is refused before any tool is made, so no
    /// tool is left on Vapi that no assistant uses.
    @Test func anAssistantWithoutAModelGetsNoToolItCannotCarry() async throws {
        let bench = try Bench()
        _ = try await bench.fake.call(
            "POST", "/assistant", .object(["name": .string("Billing line")]), token: true)
        let applied = try await bench.run(["apply"])
        #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
        #expect(applied.stdout.contains("has no model to carry agent billing-line's tools"), "\(applied.stdout)")
        let state = try await bench.fake.state()
        let used = Set(state.assistants.flatMap { $0["model"]?["toolIds"]?.array?.compactMap(\.string) ?? [] })
        let orphans = state.tools.compactMap { $0["id"]?.string }.filter { !used.contains($0) }
        #expect(orphans.isEmpty, "tools no assistant uses: \(orphans)")
    }

    /// An assistant bound to nothing, named like a bound agent, is another
    /// object: the plan names it so, and import takes the bound one.
    @Test func anUnboundAssistantNamedLikeABoundAgentIsNotThatAgent() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        _ = try await bench.fake.call(
            "POST", "/assistant",
            .object([
                "name": .string("Billing line"),
                "model": .object(["provider": .string("openai"), "model": .string("gpt-4o")]),
            ]), token: true)
        let plan = try await bench.run(["plan"])
        #expect(plan.stdout.contains("billing-line (another, bound to no agent: 'Billing line')"), "\(plan.stdout)")
        let json = try await bench.run(["plan", "--format", "json"])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(document["unmanaged"] as? [String] == ["billing-line"], "ids in JSON: \(json.stdout)")
        let folder = try TemporaryFolder([
            ProjectFile.path: VapiApplyTests.project(), ConfigValidator.defaultsFile: Scaffold.defaultsTemplate,
        ])
        let imported = try await bench.run(["import"], in: folder.url)
        #expect(imported.status == 1, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stdout.contains("wrote config/agents/billing-line.yaml"), "\(imported.stdout)")
        #expect(
            imported.stdout.contains(
                "skipped billing-line: 'Billing line', bound to no agent, is named like this agent"))
    }

    /// An assistant without a name is the platform's all the same: the plan
    /// lists it by its Vapi id, and import says why it writes no file for it.
    @Test func anUnnamedAssistantIsListedAndNotImported() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        let made = try await bench.fake.call(
            "POST", "/assistant",
            .object(["model": .object(["provider": .string("openai"), "model": .string("gpt-4o")])]), token: true)
        let vapiID = try #require(made["id"]?.string)
        let id = VapiSlice.agentID(for: "unnamed " + vapiID)
        #expect(Patterns.isAgentID(id) && id.contains(vapiID.prefix(8)), "\(id)")
        let json = try await bench.run(["plan", "--format", "json"])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(document["unmanaged"] as? [String] == [id], "\(json.stdout)")
        let plan = try await bench.run(["plan"])
        #expect(plan.stdout.contains(id), "\(plan.stdout)")
        let folder = try TemporaryFolder([
            ProjectFile.path: VapiApplyTests.project(), ConfigValidator.defaultsFile: Scaffold.defaultsTemplate,
        ])
        let imported = try await bench.run(["import"], in: folder.url)
        #expect(imported.status == 1, "\(imported.stdout)\(imported.stderr)")
        #expect(
            imported.stdout.contains("skipped \(id): it has no name on the platform; name it there to import it"),
            "\(imported.stdout)")
        #expect(
            !FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("config/agents/\(id).yaml").path))
    }

    @Test func importThenPlanIsUnchanged() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        let empty = try TemporaryFolder([
            ProjectFile.path: VapiApplyTests.project(), ConfigValidator.defaultsFile: Scaffold.defaultsTemplate,
        ])
        let imported = try await bench.run(["import"], in: empty.url)
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stdout.components(separatedBy: "wrote ").count == 5)
        let validate = try await bench.run(["validate"], in: empty.url)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let plan = try await bench.run(["plan", "--detailed-exitcode"], in: empty.url)
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("No changes"))
    }

    @Test func importLeavesOutAFileValidateWouldRefuse() async throws {
        let bench = try Bench()
        #expect(try await bench.run(["apply"]).status == 0)
        // A Vapi breaking its own rule: the listing names an assistant over its 40 characters.
        let id = try #require(try await bench.bound()["store-info"]?["id"])
        let listing = try await bench.fake.state().assistants.map { assistant -> JSONValue in
            guard assistant["id"] == id, case .object(var fields) = assistant else { return assistant }
            fields["name"] = .string(String(repeating: "Store information ", count: 3))
            return .object(fields)
        }
        try await bench.fake.fault(
            .object([
                "method": .string("GET"), "path": .string("/assistant"), "exact": .bool(true),
                "kind": .string("status"), "status": .integer(200), "body": .array(listing),
            ]))
        let earlier = "agent: store-info\nname: Store\nchannels: [messages]\nsupport:\n  mode: nothing\n"
        let folder = try TemporaryFolder([
            ProjectFile.path: VapiApplyTests.project(strict: true),
            ConfigValidator.defaultsFile: Scaffold.defaultsTemplate, "config/agents/store-info.yaml": earlier,
        ])
        let imported = try await bench.run(["import", "--overwrite"], in: folder.url)
        #expect(imported.status == 1, "\(imported.stdout)\(imported.stderr)")
        // Written: the two agents Vapi expresses whole (concierge's ring timeout is its default, left out).
        #expect(imported.stdout.contains("wrote config/agents/concierge.yaml"), "\(imported.stdout)")
        #expect(imported.stdout.contains("wrote config/agents/returns-chat.yaml"), "\(imported.stdout)")
        #expect(imported.stdout.components(separatedBy: "wrote ").count == 3, "\(imported.stdout)")
        // Skipped, saying why and what to do: a name over 40, and destinations Vapi does not try in order.
        #expect(imported.stdout.contains("skipped store-info") && imported.stdout.contains("at most 40 characters"))
        #expect(
            imported.stdout.contains("skipped billing-line") && imported.stdout.contains("strict_supports: false"),
            "\(imported.stdout)")
        let kept = try String(
            contentsOf: folder.url.appendingPathComponent("config/agents/store-info.yaml"), encoding: .utf8)
        #expect(kept == earlier, "the file it replaced is put back")
        let validate = try await bench.run(["validate"], in: folder.url)
        #expect(validate.status == 0, "\(validate.stderr)")
    }

    @Test func busyAndLostAnswersNeverMakeASecondTool() async throws {
        let bench = try Bench()
        try await bench.fake.fault(
            .object([
                "method": .string("GET"), "path": .string("/assistant"), "kind": .string("status"),
                "status": .integer(429), "retry_after": .string("1"),
            ]))
        try await bench.fake.fault(
            .object(["method": .string("POST"), "path": .string("/tool"), "kind": .string("drop-after-commit")]))
        let apply = try await bench.run(["apply", "--parallel", "1"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        // The busy answer was waited out and the lost one looked up, not repeated.
        let requests = try await bench.fake.requests()
        #expect(requests.first?["status"] == .integer(429))
        #expect(requests.filter { $0["fault"]?.string == "drop-after-commit" }.count == 1)
        #expect(requests.filter { $0["method"]?.string == "POST" && $0["path"]?.string == "/tool" }.count == 2)
        let tools = try await bench.fake.state().tools
        #expect(tools.count == 2, "\(tools.map { $0["id"] })")
        let attached = try await bench.bound().values.flatMap { $0["model"]?["toolIds"]?.strings ?? [] }
        #expect(Set(attached) == Set(tools.compactMap { $0["id"]?.string }))
        #expect(!apply.stderr.contains(FakeVapi.token) && !apply.stdout.contains(FakeVapi.token))
    }
}
