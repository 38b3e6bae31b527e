import Foundation
import Git
import SupportSyncGit
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A team's week with supportsync, on real parts: a bare "origin"
/// repository, a developer's clone, a fresh clone for every CI run (as
/// actions/checkout makes one), the local platform served on a loopback
/// port, and the built executable. git plays the team and the CI runner
/// (clone, commit, merge, push), exactly as .github/workflows/supportsync.yml
/// does; everything supportsync does, the executable does.
@Suite(.serialized) struct TeamWeekTests {
    static let token = "team-week-\(UUID().uuidString)"

    static let flagAgent = """
        # The support phone line.
        agent: support-line
        name: Support line
        channels: [calls]
        support:
          mode: flag
          flag:
            collect: [name, phone]
            tags: [support]

        """

    static let escalateAgent = """
        # The support phone line: a human takes the call.
        agent: support-line
        name: Support line
        channels: [calls]
        support:
          mode: escalate
          escalate:
            destinations:
              - name: support-desk
                number: "+34910000000"
          flag:
            collect: [name, phone]
            tags: [support]

        """

    static let chatAgent = """
        agent: faq-chat
        name: FAQ chat
        channels: [messages]
        support:
          mode: nothing

        """

    @Test func aTeamsWeek() async throws {
        let week = try Week()
        defer { week.platform?.stop() }

        // Monday: the team's repository, and a first sync that creates the agents.
        try week.dev.write("config/agents/support-line.yaml", Self.flagAgent)
        try week.dev.write("config/agents/faq-chat.yaml", Self.chatAgent)
        try week.dev.write("tickets/.gitkeep", "")
        try week.dev.write(".gitignore", ".supportsync/\n")
        try week.dev.git(["add", "-A"])
        try week.dev.git(["commit", "-q", "-m", "Support settings"])
        try week.dev.git(["push", "-q", "origin", "main"])
        let first = try week.ciSync()
        #expect(first.result.status == 0, "\(first.result.stdout)\(first.result.stderr)")
        #expect(first.result.stdout.contains("2 created: faq-chat, support-line"))
        #expect(try await week.api.agent("support-line")["mode"] as? String == "flag")

        // 1. A pull request changes support-line from flag to escalate.
        try week.dev.openPullRequest("escalate-support-line") {
            try week.dev.write("config/agents/support-line.yaml", Self.escalateAgent)
        }
        let validate = try week.dev.run(["validate", "--format", "github"])
        #expect(validate.status == 0 && validate.stdout.isEmpty, "\(validate.stdout)")
        let planned = try week.dev.run(["plan", "--format", "json"])
        #expect(planned.status == 0, "\(planned.stderr)")
        let plan = try Self.json(planned.stdout)
        let agents = try #require(plan["agents"] as? [[String: Any]])
        #expect(agents.map { "\($0["id"]!) \($0["action"]!)" } == ["faq-chat unchanged", "support-line update"])
        let changes = try #require(agents.last?["changes"] as? [[String: Any]])
        #expect(
            changes.contains {
                $0["field"] as? String == "support.mode" && $0["old"] as? String == "flag"
                    && $0["new"] as? String == "escalate"
            })
        for change in changes where change["field"] as? String != "support.mode" {
            // Everything else is the escalate block the mode now uses, new.
            #expect((change["field"] as? String)?.hasPrefix("support.escalate") == true, "\(change)")
            #expect(change["old"] == nil || change["old"] is NSNull, "\(change)")
        }
        let planText = try week.dev.run(["plan"])
        #expect(
            planText.stdout == """
                ~ update support-line
                    behaviour:
                      calls, mon-sun 00:00-24:00: flag -> transfer support-desk -> flag
                    support.escalate.destinations[0].name: (none) -> support-desk
                    support.escalate.destinations[0].number: (none) -> +34910000000
                    support.escalate.fallback: (none) -> flag
                    support.escalate.ring_timeout: (none) -> 30
                    support.escalate.summary: (none) -> true
                    support.escalate.transfer: (none) -> warm
                    support.mode: flag -> escalate
                Plan: 0 to create, 1 to update, 1 unchanged.

                """)
        let audit1 = try week.dev.run(["audit", "--base", "origin/main", "--format", "github"])
        #expect(audit1.status == 0 && audit1.stdout.isEmpty, "\(audit1.stdout)\(audit1.stderr)")

        // Meanwhile support-line (still flagging) logs two tickets.
        let ticketA = try await week.api.flag(conversation: "conv_a", reason: "Cannot log in after the password reset")
        let ticketB = try await week.api.flag(conversation: "conv_b", reason: "Asks for an invoice copy")

        // 2. After merge, sync applies it and pulls the two tickets in one commit, pushed to origin.
        let merge1 = try week.dev.merge("escalate-support-line")
        let second = try week.ciSync()
        #expect(second.result.status == 0, "\(second.result.stdout)\(second.result.stderr)")
        #expect(second.result.stdout.contains("1 updated: support-line"), "\(second.result.stdout)")
        #expect(
            second.result.stdout.contains("2 new: \(ticketA), \(ticketB)")
                || second.result.stdout.contains("2 new: \(ticketB), \(ticketA)"))
        #expect(
            second.summary.contains("support-line") && second.summary.contains(ticketA)
                && second.summary.contains(ticketB))
        #expect(try await week.api.agent("support-line")["mode"] as? String == "escalate")
        let pulled = try week.originCommit("main")
        #expect(pulled.parents == [merge1], "exactly one commit on top of the merge")
        #expect(pulled.summary == "tickets: 2 new, 0 updated")
        #expect(pulled.trailer("Supportsync-Cursor") != nil)
        let pulledPaths = try week.origin.changes(from: merge1, to: pulled.id, under: "tickets/").map(\.path).sorted()
        let pathA = try #require(pulledPaths.first { $0.hasSuffix("/\(ticketA).yaml") })
        let pathB = try #require(pulledPaths.first { $0.hasSuffix("/\(ticketB).yaml") })
        #expect(pulledPaths == [pathA, pathB, TicketStore.cursorPath].sorted())
        #expect(
            try week.origin.resolve(reference: "refs/supportsync/platform") != nil,
            "the platform base travels with main")

        // 3. A pull request moves ticket A to in_progress with an assignee; after merge sync pushes it.
        try week.dev.openPullRequest("take-\(ticketA)") {
            try week.dev.edit(pathA) {
                $0.replacingOccurrences(of: "\nstatus: pending\n", with: "\nstatus: in_progress\n")
                    .replacingOccurrences(of: "\nassignee: null\n", with: "\nassignee: ana@team.example\n")
            }
        }
        let audit3 = try week.dev.run(["audit", "--base", "origin/main"])
        #expect(audit3.status == 0, "\(audit3.stdout)\(audit3.stderr)")
        // Meanwhile someone closes ticket B in the platform's inbox.
        try await week.api.patch(ticketB, ["status": "closed", "resolution": "Sent the invoice by e-mail."])
        _ = try week.dev.merge("take-\(ticketA)")
        let third = try week.ciSync()
        #expect(third.result.status == 0, "\(third.result.stdout)\(third.result.stderr)")
        #expect(third.result.stdout.contains("tickets pushed: 1: \(ticketA)"), "\(third.result.stdout)")
        #expect(third.result.stdout.contains("1 updated: \(ticketB)"), "the platform's closing comes back to git")
        let pushedA = try await week.api.ticket(ticketA)
        #expect(pushedA["status"] as? String == "in_progress")
        #expect(pushedA["assignee"] as? String == "ana@team.example")
        #expect(try week.originFile(pathB).contains("\nstatus: closed\n"))

        // 4. A pull request edits ticket A's summary by hand and reopens closed ticket B: audit fails on both lines.
        try week.dev.openPullRequest("bad-edits") {
            try week.dev.edit(pathA) { text in
                text.components(separatedBy: "\n").map { $0.hasPrefix("summary:") ? "summary: Edited by hand" : $0 }
                    .joined(separator: "\n")
            }
            try week.dev.edit(pathB) { $0.replacingOccurrences(of: "\nstatus: closed\n", with: "\nstatus: pending\n") }
        }
        let audit4 = try week.dev.run(["audit", "--base", "origin/main", "--format", "json"])
        #expect(audit4.status == 1, "\(audit4.stdout)\(audit4.stderr)")
        let diagnostics = try #require(try Self.json(audit4.stdout)["diagnostics"] as? [[String: Any]])
        let summaryLine = try week.dev.line(of: "summary:", in: pathA)
        let statusLine = try week.dev.line(of: "status:", in: pathB)
        #expect(
            diagnostics.contains {
                $0["file"] as? String == pathA && $0["line"] as? Int == summaryLine
                    && $0["rule"] as? String == "ticket-platform-field"
                    && ($0["message"] as? String)?.contains("summary") == true
            }, "\(audit4.stdout)")
        #expect(
            diagnostics.contains {
                $0["file"] as? String == pathB && $0["line"] as? Int == statusLine
                    && $0["rule"] as? String == "ticket-lifecycle"
            }, "\(audit4.stdout)")
        #expect(diagnostics.allSatisfy { $0["severity"] as? String == "error" })
        let github4 = try week.dev.run(["audit", "--base", "origin/main", "--format", "github"])
        #expect(github4.status == 1)
        #expect(github4.stdout.contains("::error file=\(pathA),line=\(summaryLine),"))
        #expect(github4.stdout.contains("::error file=\(pathB),line=\(statusLine),"))
        // The pull request is closed unmerged.

        // 5. A sync while the platform is down: exit 3, nothing changed; the next one completes everything.
        try week.dev.openPullRequest("friday") {
            try week.dev.edit("config/agents/support-line.yaml") {
                $0.replacingOccurrences(
                    of: "\n    destinations:\n", with: "\n    ring_timeout: 20\n    destinations:\n")
            }
            try week.dev.edit(pathA) {
                $0.replacingOccurrences(of: "\nstatus: in_progress\n", with: "\nstatus: resolved\n")
                    .replacingOccurrences(
                        of: "\nresolution: null\n", with: "\nresolution: Reset the account's second factor.\n")
            }
        }
        #expect(try week.dev.run(["validate"]).status == 0)
        #expect(try week.dev.run(["audit", "--base", "origin/main"]).status == 0)
        let ticketC = try await week.api.flag(conversation: "conv_c", reason: "Wants to change the delivery address")
        _ = try week.dev.merge("friday")
        try week.stopPlatform()
        let originBefore = try week.originRefs()
        let down = try week.ciSync(environment: ["SUPPORTSYNC_RETRY_BUDGET": "0"], expectUnchanged: true)
        #expect(down.result.status == 3, "\(down.result.stdout)\(down.result.stderr)")
        #expect(down.result.stdout.contains("failed: "), "\(down.result.stdout)")
        #expect(try week.originRefs() == originBefore, "origin unchanged")
        try week.startPlatform()
        let recovered = try week.ciSync()
        #expect(recovered.result.status == 0, "\(recovered.result.stdout)\(recovered.result.stderr)")
        #expect(recovered.result.stdout.contains("1 updated: support-line"))
        #expect(recovered.result.stdout.contains("1 new: \(ticketC)"))
        #expect(recovered.result.stdout.contains("tickets pushed: 1: \(ticketA)"))
        let escalate = try #require(try await week.api.agent("support-line")["escalate"] as? [String: Any])
        #expect(escalate["ring_timeout"] as? Int == 20)
        let resolvedA = try await week.api.ticket(ticketA)
        #expect(resolvedA["status"] as? String == "resolved")
        #expect(resolvedA["resolution"] as? String == "Reset the account's second factor.")
        let landed = try week.originCommit("main")
        #expect(landed.summary == "tickets: 1 new, 0 updated")
        #expect(
            try week.origin.changes(from: landed.parents[0], to: landed.id, under: "tickets/").contains {
                $0.path.hasSuffix("/\(ticketC).yaml")
            })

        // 6. A sync in CI with no platform configured: exit 64, nothing changed anywhere.
        _ = try await week.api.flag(conversation: "conv_d", reason: "Left before giving details")
        let platformBefore = try await week.api.everything()
        let originBefore6 = try week.originRefs()
        let unconfigured = try week.ciSync(
            environment: ["SUPPORTSYNC_PLATFORM": "", "SUPPORTSYNC_TOKEN": ""], expectUnchanged: true)
        #expect(unconfigured.result.status == 64)
        #expect(unconfigured.result.stderr.contains("SUPPORTSYNC_PLATFORM"), "\(unconfigured.result.stderr)")
        #expect(unconfigured.result.stdout.isEmpty)
        #expect(
            !FileManager.default.fileExists(atPath: unconfigured.clone.appendingPathComponent(".supportsync").path),
            "no throwaway database")
        #expect(try week.originRefs() == originBefore6)
        #expect(try await week.api.everything() == platformBefore)
    }
}

// MARK: - The week's parts
extension TeamWeekTests {

    /// The folder of the week: origin, the developer's clone, the CI clones, the platform.
    fileprivate final class Week {
        let folder: TemporaryFolder
        let originURL: URL
        let origin: Repository
        let dev: Clone
        let database: String
        var platform: ServedPlatform?
        var port = 0
        var api: PlatformAPI { PlatformAPI(port: port, token: TeamWeekTests.token) }
        private var runs = 0

        init() throws {
            folder = try TemporaryFolder()
            originURL = folder.url.appendingPathComponent("origin.git")
            origin = try Repository.create(at: originURL.path, bare: true, initialBranch: "main")
            try WitnessGit.run(["clone", "-q", originURL.path, "dev"], in: folder.url)
            dev = Clone(url: folder.url.appendingPathComponent("dev"), week: nil)
            database = folder.url.appendingPathComponent("platform.sqlite").path
            dev.week = self
            try startPlatform()
        }

        /// Serves the platform's database, on the port it had when it can.
        func startPlatform() throws {
            do {
                platform = try ServedPlatform(database: database, token: TeamWeekTests.token, port: port)
            } catch is ServedPlatform.ServeFailed where port != 0 {
                // Taken meanwhile: another port, as when a platform's URL changes.
                platform = try ServedPlatform(database: database, token: TeamWeekTests.token, port: 0)
            }
            port = platform!.port
        }

        func stopPlatform() throws {
            platform?.stop()
            platform = nil
        }

        /// The environment of the workflow's jobs: CI=true and the two secrets.
        var ciEnvironment: [String: String] {
            [
                "CI": "true", "SUPPORTSYNC_PLATFORM": "http://127.0.0.1:\(port)",
                "SUPPORTSYNC_TOKEN": TeamWeekTests.token,
            ]
        }

        struct Run {
            var result: Executable.Result
            var summary: String
            var clone: URL
        }

        /// One run of the workflow's sync job: a fresh full clone, the platform
        /// base fetched, `supportsync sync --summary-file`, then the atomic push
        /// of main and the base back to origin.
        func ciSync(environment: [String: String] = [:], expectUnchanged: Bool = false) throws -> Run {
            runs += 1
            let name = "ci-\(runs)"
            try WitnessGit.run(["clone", "-q", originURL.path, name], in: folder.url)
            let clone = folder.url.appendingPathComponent(name)
            try WitnessGit.run(["fetch", "-q", "origin", "+refs/supportsync/*:refs/supportsync/*"], in: clone)
            let before = try cloneState(clone)
            let summary = folder.url.appendingPathComponent("\(name)-summary.md")
            let result = try Executable.run(
                ["sync", "--summary-file", summary.path], in: clone,
                environment: ciEnvironment.merging(environment) { $1 })
            if expectUnchanged {
                #expect(
                    try cloneState(clone) == before, "the repository is unchanged: \(result.stdout)\(result.stderr)")
            }
            var refs = ["HEAD:refs/heads/main"]
            if (try? WitnessGit.run(["show-ref", "--verify", "--quiet", "refs/supportsync/platform"], in: clone)) != nil
            {
                refs.append("refs/supportsync/platform:refs/supportsync/platform")
            }
            try WitnessGit.run(["push", "-q", "--atomic", "origin"] + refs, in: clone)
            return Run(result: result, summary: (try? String(contentsOf: summary, encoding: .utf8)) ?? "", clone: clone)
        }

        /// HEAD, every ref and the working tree's status of a clone.
        private func cloneState(_ clone: URL) throws -> String {
            try WitnessGit.run(["show-ref", "--head"], in: clone) + "\n"
                + WitnessGit.run(["status", "--porcelain", "--ignored"], in: clone)
        }

        func originRefs() throws -> String {
            try WitnessGit.run(["for-each-ref", "--format=%(refname) %(objectname)"], in: originURL)
        }

        func originCommit(_ branch: String) throws -> CommitInfo {
            try origin.commit(try #require(try origin.resolve(reference: "refs/heads/\(branch)")))
        }

        func originFile(_ path: String) throws -> String {
            let tip = try #require(try origin.resolve(reference: "refs/heads/main"))
            return String(decoding: try #require(try origin.blob(at: path, in: tip)), as: UTF8.self)
        }
    }

    /// The developer's clone: pull-request branches, review checks, merges.
    fileprivate final class Clone {
        let url: URL
        weak var week: Week?

        init(url: URL, week: Week?) {
            self.url = url
            self.week = week
        }

        @discardableResult
        func git(_ arguments: [String]) throws -> String { try WitnessGit.run(arguments, in: url) }

        func write(_ path: String, _ text: String) throws {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }

        func edit(_ path: String, _ change: (String) -> String) throws {
            let text = try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
            let changed = change(text)
            #expect(changed != text, "the edit of \(path) changed nothing")
            try write(path, changed)
        }

        /// The 1-based line of the first line starting with `prefix`.
        func line(of prefix: String, in path: String) throws -> Int {
            let text = try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
            let index = try #require(text.components(separatedBy: "\n").firstIndex { $0.hasPrefix(prefix) })
            return index + 1
        }

        /// A branch from origin/main with one commit, pushed.
        func openPullRequest(_ branch: String, edits: () throws -> Void) throws {
            try git(["fetch", "-q", "origin"])
            try git(["checkout", "-q", "-B", branch, "origin/main"])
            try edits()
            try git(["commit", "-q", "-am", "Pull request \(branch)"])
            try git(["push", "-q", "origin", branch])
        }

        /// Merges the branch into main with a merge commit (as a forge does); returns the merge.
        func merge(_ branch: String) throws -> ObjectID {
            try git(["fetch", "-q", "origin"])
            try git(["checkout", "-q", "-B", "main", "origin/main"])
            try git(["merge", "-q", "--no-ff", "-m", "Merge \(branch)", "origin/\(branch)"])
            try git(["push", "-q", "origin", "main"])
            return try #require(ObjectID(hex: try git(["rev-parse", "HEAD"])))
        }

        /// A review-job command, with the job's environment.
        func run(_ arguments: [String]) throws -> Executable.Result {
            try Executable.run(arguments, in: url, environment: week?.ciEnvironment ?? [:])
        }
    }

    /// `supportsync platform serve` on a loopback port.
    fileprivate final class ServedPlatform {
        let process: Process
        let port: Int

        init(database: String, token: String, port: Int) throws {
            let (process, line) = try Executable.startServer(["--db", database, "--port", String(port)], token: token)
            self.process = process
            let prefix = "listening on http://127.0.0.1:"
            guard line.hasPrefix(prefix), let bound = Int(line.dropFirst(prefix.count)) else {
                process.terminate()
                throw ServeFailed(line: line)
            }
            self.port = bound
        }

        func stop() {
            guard process.isRunning else { return }
            process.interrupt()
            process.waitUntilExit()
        }

        deinit { stop() }

        struct ServeFailed: Error { var line: String }
    }

    /// The platform's API as its own agents and inbox use it.
    fileprivate struct PlatformAPI {
        let port: Int
        let token: String

        func request(_ method: String, _ path: String, body: [String: Any]? = nil, headers: [String: String] = [:])
            async throws
            -> (Int, Any)
        {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
            if let body {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = try JSONSerialization.data(withJSONObject: body)
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, try JSONSerialization.jsonObject(with: data))
        }

        /// What support-line does when it flags a case; returns the ticket's id.
        func flag(conversation: String, reason: String) async throws -> String {
            let (status, body) = try await request(
                "POST", "/v1/tickets",
                body: [
                    "agent": "support-line", "channel": "calls", "conversation": conversation, "reason": reason,
                    "summary": "\(reason). Called from the mobile app.",
                    "customer": ["name": "Ana García", "phone": "+34600000000"],
                    "fields": [:], "tags": ["support"],
                ], headers: ["Idempotency-Key": conversation])
            #expect(status == 201, "\(body)")
            return try #require((body as? [String: Any])?["id"] as? String)
        }

        /// The agent's support settings.
        func agent(_ id: String) async throws -> [String: Any] {
            let (status, body) = try await request("GET", "/v1/agents/\(id)")
            #expect(status == 200)
            return try #require((body as? [String: Any])?["support"] as? [String: Any])
        }

        func ticket(_ id: String) async throws -> [String: Any] {
            let (status, body) = try await request("GET", "/v1/tickets/\(id)")
            #expect(status == 200)
            return try #require(body as? [String: Any])
        }

        /// A change made in the platform's own inbox.
        func patch(_ id: String, _ fields: [String: Any]) async throws {
            let current = try await ticket(id)
            let version = try #require(current["version"] as? String)
            let (status, body) = try await request(
                "PATCH", "/v1/tickets/\(id)", body: fields, headers: ["If-Match": "\"\(version)\""])
            #expect(status == 200, "\(body)")
        }

        /// Every agent and ticket, as JSON text, to compare before and after.
        func everything() async throws -> String {
            let (_, agents) = try await request("GET", "/v1/agents")
            let (_, tickets) = try await request("GET", "/v1/tickets?limit=1000")
            let data = try JSONSerialization.data(
                withJSONObject: ["agents": agents, "tickets": tickets], options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
