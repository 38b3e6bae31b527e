import Foundation
import GRDB
import Git
import SupportSync
import TestSupport
import Testing

/// `supportsync validate`, `schema` and `--version`, run as a user runs them.
@Suite("validate, schema and --version, end to end")
struct ValidateCommandTests {
    static let goodAgent = """
        agent: front-desk
        name: Front desk
        channels: [calls]
        support:
          mode: escalate
          escalate:
            destinations:
              - name: desk
                number: "+34910000000"

        """

    static let badAgent = """
        agent: billing
        name: Billing
        channels: [messages]
        support:
          mode: escalate
          escalate:
            destinations:
              - name: desk
                number: +34910000000

        """

    /// A messages agent with an escalate block its mode does not use: a warning only.
    static let warningAgent = """
        agent: chat
        name: Chat
        channels: [messages]
        support:
          mode: flag
          escalate:
            destinations:
              - name: desk
                number: "+34910000000"

        """

    /// A folder with no config/, tickets/ or supportsync.yaml is a run in
    /// the wrong place (a CI job's working directory, say): every command
    /// that reads config/ says so and exits 64, never a green run of nothing.
    @Test func aFolderWithNothingToSyncIsAUsageError() throws {
        let folder = try TemporaryFolder()
        _ = try Repository.create(at: folder.url.path, initialBranch: "main")
        let database = folder.url.appendingPathComponent("platform.sqlite").path
        for command in [["validate"], ["test"], ["plan", "--db", database], ["sync", "--db", database]] {
            let result = try Executable.run(command, in: folder.url)
            #expect(result.status == 64, "\(command): \(result.stdout)\(result.stderr)")
            #expect(
                (result.stdout + result.stderr).contains("holds no config/, tickets/ or supportsync.yaml"),
                "\(command): \(result.stdout)\(result.stderr)")
        }
        // A bare repository's own config file is no config/ folder.
        let bare = try TemporaryFolder()
        _ = try Repository.create(at: bare.url.path, bare: true)
        let inBare = try Executable.run(["validate"], in: bare.url)
        #expect(inBare.status == 64, "\(inBare.stdout)\(inBare.stderr)")
        try folder.write("config/defaults.yaml", "support: {mode: nothing}\n")
        #expect(try Executable.run(["validate"], in: folder.url).status == 0, "config/ without agents yet is fine")
    }

    @Test func versionPrintsTheVersion() throws {
        let folder = try TemporaryFolder()
        let result = try Executable.run(["--version"], in: folder.url)
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func validFilesExitZeroAndPrintNothingOnStdout() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/front-desk.yaml", Self.goodAgent)
        let result = try Executable.run(["validate"], in: folder.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("0 errors, 0 warnings in 1 file"))
    }

    /// A line separator in a comment: located as an editor counts lines,
    /// with no hint to save as UTF-8 a file that is.
    @Test func aLineSeparatorIsLocatedWithoutAnEncodingHint() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/front-desk.yaml", "# Café \u{2028} note\n" + Self.goodAgent)
        let result = try Executable.run(["validate"], in: folder.url)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("config/agents/front-desk.yaml:1:8: error: a LINE SEPARATOR (U+2028) is here"),
            "\(result.stdout)")
        #expect(!result.stdout.contains("save the file as UTF-8"), "\(result.stdout)")
    }

    @Test func errorsExitOneWithCompilerStyleLines() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        let result = try Executable.run(["validate"], in: folder.url)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "config/agents/billing.yaml:5:9: error: escalate transfers calls only; this agent serves only messages [escalate-requires-calls]"
            ))
        #expect(
            lines.contains {
                $0.hasPrefix("config/agents/billing.yaml:9:17: error: ") && $0.hasSuffix("[quote-string]")
            })
        #expect(lines.contains("  hint: quote the number: \"+34910000000\""))
    }

    @Test func githubFormatPrintsWorkflowCommands() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        let result = try Executable.run(["validate", "--format", "github"], in: folder.url)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(
            lines.contains {
                $0.hasPrefix("::error file=config/agents/billing.yaml,line=5,col=9,title=escalate-requires-calls::")
            })
        #expect(lines.allSatisfy { !$0.dropFirst(2).contains("\n") })
    }

    @Test func jsonFormatIsOneDocument() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        try folder.write("config/agents/chat.yaml", Self.warningAgent)
        let result = try Executable.run(["validate", "--format", "json"], in: folder.url)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? Int == 2)
        #expect(object["errors"] as? Int == 2)
        #expect(object["warnings"] as? Int == 1)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        let first = try #require(diagnostics.first { $0["rule"] as? String == "escalate-requires-calls" })
        #expect(first["file"] as? String == "config/agents/billing.yaml")
        #expect(first["line"] as? Int == 5)
        #expect(first["column"] as? Int == 9)
        #expect(first["severity"] as? String == "error")
        #expect((first["hint"] as? String)?.contains("flag or decide") == true)
    }

    /// A command asked for JSON that fails still prints one JSON document:
    /// the error, its exit status, and the diagnostics that stopped it.
    @Test func aFailedCommandAskedForJSONPrintsItsFailureAsJSON() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        let plan = try Executable.run(["plan", "--format", "json"], in: folder.url)
        #expect(plan.status == 1, "\(plan.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        #expect(object["format_version"] as? Int == 1)
        #expect(object["exit_status"] as? Int == 1)
        #expect((object["error"] as? String)?.isEmpty == false)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.contains { $0["rule"] as? String == "escalate-requires-calls" && $0["line"] as? Int == 5 })

        try folder.write(
            "config/agents/billing.yaml", Self.goodAgent.replacingOccurrences(of: "front-desk", with: "billing"))
        let show = try Executable.run(["tickets", "show", "T-NOPE", "--format", "json"], in: folder.url)
        #expect(show.status != 0)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(shown["exit_status"] as? Int == Int(show.status), "\(show.stdout)")
        #expect((shown["diagnostics"] as? [Any])?.isEmpty == true)
        // Text asked for: nothing on stdout, as before.
        #expect(try Executable.run(["tickets", "show", "T-NOPE"], in: folder.url).stdout.isEmpty)
    }

    @Test func strictFailsOnWarnings() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/chat.yaml", Self.warningAgent)
        let plain = try Executable.run(["validate"], in: folder.url)
        #expect(plain.status == 0)
        #expect(!plain.stderr.contains("--strict"), "\(plain.stderr)")
        let strict = try Executable.run(["validate", "--strict"], in: folder.url)
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("warning: the escalate block is ignored"))
        // Why it fails with no error, said.
        #expect(strict.stderr.hasSuffix("--strict: warnings fail validation\n"), "\(strict.stderr)")
    }

    @Test func pathsAreRelativeToTheRepositoryRootFromASubfolder() throws {
        let folder = try TemporaryFolder()
        _ = try Repository.create(at: folder.url.path)
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        let result = try Executable.run(
            ["validate", "billing.yaml"], in: folder.url.appendingPathComponent("config/agents"))
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("config/agents/billing.yaml:"))
    }

    /// The repository's root or `config/` named as a folder stands for all
    /// of `config/`, as no path does: never `defaults.yaml` or
    /// `supportsync.yaml` read as agents with `config/agents/` passed over.
    @Test func theRootOrConfigNamedAsAFolderIsAllOfConfig() throws {
        let folder = try TemporaryFolder()
        _ = try Repository.create(at: folder.url.path)
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        try folder.write("config/agents/front-desk.yaml", Self.goodAgent)
        try folder.write("config/defaults.yaml", "support:\n  flag:\n    priority: high\n")
        // The project file and its overlay each hold a problem of their own.
        try folder.write(
            "supportsync.yaml",
            "platforms:\n  p:\n    provider: local\n    overlay: config/env/p.yaml\ndefault: p\nbogus: 1\n")
        try folder.write("config/env/p.yaml", "agents:\n  ghost:\n    mode: flag\n")
        let expected = try Executable.run(["validate"], in: folder.url)
        #expect(expected.status == 1)
        for problem in [
            "config/agents/billing.yaml:5:9: error:", "supportsync.yaml:6:1: error:",
            "config/env/p.yaml:2:3: error: the overlay names agent 'ghost'",
        ] {
            #expect(expected.stdout.contains(problem), "\(problem): \(expected.stdout)")
        }
        let config = folder.url.appendingPathComponent("config")
        // The repository reached through a symbolic link (as macOS's /tmp is).
        let outside = try TemporaryFolder()
        let link = outside.url.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: folder.url)
        for (arguments, directory) in [
            (["."], folder.url), (["config"], folder.url), (["config/"], folder.url), ([folder.url.path], config),
            (["."], config), ([".", "config/agents/billing.yaml"], folder.url),
            (["config", "supportsync.yaml"], folder.url), ([link.path], folder.url),
            ([link.appendingPathComponent("config").path], folder.url),
        ] {
            let result = try Executable.run(["validate"] + arguments, in: directory)
            #expect(result.status == 1, "\(arguments) in \(directory.lastPathComponent)")
            #expect(
                result.stdout == expected.stdout, "\(arguments) in \(directory.lastPathComponent): \(result.stdout)")
            #expect(result.stderr == expected.stderr, "\(arguments): \(result.stderr)")
        }
        // The project file named alone is read as itself, not as an agent;
        // so is its overlay (against every agent, which it names).
        let project = try Executable.run(["validate", "supportsync.yaml"], in: folder.url)
        #expect(project.status == 1, "\(project.stdout)\(project.stderr)")
        #expect(project.stdout.hasPrefix("supportsync.yaml:6:1: error:"), "\(project.stdout)")
        #expect(!project.stdout.contains("config/env/p.yaml"), "\(project.stdout)")
        let overlay = try Executable.run(["validate", "config/env/p.yaml"], in: folder.url)
        #expect(
            overlay.stdout.contains("config/env/p.yaml:2:3: error: the overlay names agent 'ghost'"),
            "\(overlay.stdout)")
        #expect(!overlay.stdout.contains("agent has no"), "not read as an agent: \(overlay.stdout)")
        // A folder of agents stands for its files, each read once.
        let agents = try Executable.run(
            ["validate", "config/agents", "config/agents/billing.yaml"], in: folder.url)
        #expect(
            agents.stdout.components(separatedBy: "config/agents/billing.yaml:5:9: error:").count == 2
                && !agents.stdout.contains("supportsync.yaml"), "\(agents.stdout)")
    }

    @Test func repoOptionPointsAtAnotherFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/billing.yaml", Self.badAgent)
        let elsewhere = try TemporaryFolder()
        let result = try Executable.run(["validate", "--repo", folder.url.path], in: elsewhere.url)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("config/agents/billing.yaml:5:9"))
    }

    @Test func usageErrorsExit64() throws {
        let folder = try TemporaryFolder()
        let missing = try Executable.run(["validate", "no-such-file.yaml"], in: folder.url)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no such file"))
        let badFlag = try Executable.run(["validate", "--format", "xml"], in: folder.url)
        #expect(badFlag.status == 64)
    }

    @Test func hostileFilesAreDiagnosticsNotCrashes() throws {
        let folder = try TemporaryFolder()
        try folder.write(
            "config/agents/laughs.yaml",
            """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
            i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]

            """)
        let big = String(repeating: "# padding\n", count: 110_000)
        try folder.write("config/agents/big.yaml", big)
        let bytes = Data([0x61, 0x67, 0x65, 0x6E, 0x74, 0x3A, 0x20, 0xFF, 0xFE, 0x0A])
        try bytes.write(to: folder.url.appendingPathComponent("config/agents/binary.yaml"))
        let result = try Executable.run(["validate", "--format", "json"], in: folder.url)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rules = (object["diagnostics"] as? [[String: Any]] ?? []).map { "\($0["file"]!) \($0["rule"]!)" }
        #expect(
            rules.sorted() == [
                "config/agents/big.yaml yaml-limit",
                "config/agents/binary.yaml yaml-encoding",
                "config/agents/laughs.yaml yaml-limit",
            ])
    }

    @Test func schemaIsJSONSchema2020() throws {
        let folder = try TemporaryFolder()
        let result = try Executable.run(["schema"], in: folder.url)
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(object["additionalProperties"] as? Bool == false)
    }
}

/// Messages a user meets on the way: a mistyped command, counts in the right number.
@Suite struct MessageTests {
    @Test(arguments: [
        (["tickts", "list"], "unknown command 'tickts' for 'supportsync'; did you mean 'tickets'?"),
        (["tickets", "lst"], "unknown command 'lst' for 'supportsync tickets'; did you mean 'list'?"),
        (["platform", "simulat"], "did you mean 'simulate'?"),
        (["frobnicate"], "the commands are validate, explain, test,"),
    ])
    func mistypedCommandsNameTheOneMeant(_ arguments: [String], _ message: String) throws {
        let folder = try TemporaryFolder()
        let result = try Executable.run(arguments, in: folder.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func countsReadRight() {
        #expect(plural(1, "conflict") == "1 conflict")
        #expect(plural(0, "conflict") == "0 conflicts")
        #expect(plural(2, "entry", "entries") == "2 entries")
        let ids: [String] = (1...22).map { "T-\($0)" }
        let named: String = ids.prefix(20).joined(separator: ", ")
        #expect(IDList.capped(ids) == named + ", and 2 more")
        #expect(IDList.capped(["a", "b"], separator: " ") == "a b")
    }
}

/// Messages from commands that reach a platform or a repository.
@Suite struct PlatformMessageTests {
    @Test func aPortInUseSaysWhatToDo() throws {
        let folder = try TemporaryFolder()
        let database = folder.url.appendingPathComponent("p.sqlite").path
        let (first, line) = try Executable.startServer(["--db", database, "--port", "0"], token: "validate-token")
        defer { first.terminate() }
        let port = try #require(line.split(separator: ":").last.map(String.init))
        let second = try Executable.run(
            ["platform", "serve", "--db", database, "--port", port], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": "validate-token"])
        #expect(second.status == 3)
        #expect(second.stderr.contains("port \(port) is in use: use --port N or --port 0"), "\(second.stderr)")
    }

    @Test func aURLWithAPasswordIsRefusedWithoutPrintingIt() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/a.yaml", "agent: a\nname: A\nchannels: [messages]\nsupport: {mode: flag}\n")
        let result = try Executable.run(
            ["plan", "--platform", "https://ana:s3cr3t-pw@api.example.com/support"], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": "a-long-token"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("https://***@api.example.com/support"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cr3t") && !result.stderr.contains("ana:"))
    }

    @Test func aURLEndingInV1SaysToDropIt() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/a.yaml", "agent: a\nname: A\nchannels: [messages]\nsupport: {mode: flag}\n")
        let (server, line) = try Executable.startServer(
            ["--db", folder.url.appendingPathComponent("p.sqlite").path, "--port", "0"], token: "v1-token-123")
        defer { server.terminate() }
        let url = try #require(line.split(separator: " ").last.map(String.init))
        let plan = try Executable.run(
            ["plan", "--platform", url + "/v1"], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": "v1-token-123", "SUPPORTSYNC_RETRY_BUDGET": "0"])
        #expect(plan.status == 3)
        #expect(plan.stderr.contains("ends in /v1, which supportsync adds itself: drop the suffix"), "\(plan.stderr)")
    }

    @Test func everyRunSaysWhichPlatformItTalksTo() throws {
        let folder = try TemporaryFolder()
        try folder.write("config/agents/a.yaml", "agent: a\nname: A\nchannels: [messages]\nsupport: {mode: flag}\n")
        let database = folder.url.appendingPathComponent("p.sqlite").path
        let local = try Executable.run(["apply", "--platform", "local", "--db", database], in: folder.url)
        #expect(local.status == 0)
        // Relative to where the command runs.
        #expect(local.stderr.contains("platform: local (p.sqlite)\n"), "\(local.stderr)")
        let instance = try #require(try LocalPlatformInstance.read(database))
        let (server, line) = try Executable.startServer(["--db", database, "--port", "0"], token: "which-token-1")
        defer { server.terminate() }
        let url = try #require(line.split(separator: " ").last.map(String.init))
        let remote = try Executable.run(
            ["plan", "--platform", url], in: folder.url, environment: ["SUPPORTSYNC_TOKEN": "which-token-1"])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stderr.hasPrefix("platform: \(url) (instance \(instance))\n"), "\(remote.stderr)")
        // Unreachable: still named, and the run fails as before.
        server.terminate()
        server.waitUntilExit()
        let down = try Executable.run(
            ["plan", "--platform", url], in: folder.url,
            environment: ["SUPPORTSYNC_TOKEN": "which-token-1", "SUPPORTSYNC_RETRY_BUDGET": "0"])
        #expect(down.status == 3)
        #expect(down.stderr.hasPrefix("platform: \(url)\n"), "\(down.stderr)")
    }
}

/// The local platform's instance id, read from its file.
enum LocalPlatformInstance {
    static func read(_ path: String) throws -> String? {
        try DatabaseQueue(path: path).read {
            try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'instance'")
        }
    }
}

extension ValidateCommandTests {
    /// Only regular files inside the repository are read: a FIFO named like
    /// an agent file does not hang validate, a link to a file elsewhere is
    /// not read (its values never printed), and a link inside is followed.
    @Test func onlyRegularFilesInsideTheRepositoryAreRead() throws {
        let folder = try TemporaryFolder(["config/agents/front-desk.yaml": Self.goodAgent])
        let outside = try TemporaryFolder([
            "secret.yaml": Self.badAgent.replacingOccurrences(of: "Billing", with: "SECRET-NAME")
        ])
        #expect(mkfifo(folder.url.appendingPathComponent("config/agents/pipe.yaml").path, 0o600) == 0)
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appendingPathComponent("config/agents/outside.yaml").path,
            withDestinationPath: outside.url.appendingPathComponent("secret.yaml").path)
        try folder.write("shared/inside.yaml", Self.goodAgent.replacingOccurrences(of: "front-desk", with: "linked"))
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appendingPathComponent("config/agents/linked.yaml").path,
            withDestinationPath: "../../shared/inside.yaml")
        let result = try Executable.run(["validate"], in: folder.url)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "config/agents/pipe.yaml:1:1: error: the path is a FIFO (named pipe), not a regular file, and is never read [file-unreadable]"
            ), "\(result.stdout)")
        #expect(
            result.stdout.contains(
                "config/agents/outside.yaml:1:1: error: the file is a symbolic link to a place outside the repository, which is never read [file-unreadable]"
            ))
        #expect(!result.stdout.contains("linked.yaml"), "a link inside the repository is read like any file")
        #expect(!result.stdout.contains("SECRET") && !result.stderr.contains("SECRET"))
    }

    /// The files validate reads for its own warnings (the sync workflow,
    /// the schemas init wrote, any workflow that runs the sync) are read as
    /// every file of the repository is: a workflow linked to a file outside
    /// the repository is not read, nor one linked to `/dev/zero`, nor a FIFO
    /// among the workflows. Linked from inside, it is read.
    @Test func theFilesInitWroteAreReadOnlyAsRegularFilesInside() throws {
        let folder = try TemporaryFolder(["config/agents/front-desk.yaml": Self.goodAgent])
        let outside = try TemporaryFolder(["sync.yml": "# Written by supportsync 0.2.0\non: push\n"])
        let workflows = folder.url.appendingPathComponent(".github/workflows")
        try FileManager.default.createDirectory(at: workflows, withIntermediateDirectories: true)
        let workflow = workflows.appendingPathComponent("supportsync.yml").path
        try FileManager.default.createSymbolicLink(
            atPath: workflow, withDestinationPath: outside.url.appendingPathComponent("sync.yml").path)
        #expect(mkfifo(workflows.appendingPathComponent("other.yml").path, 0o600) == 0)
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("config/schemas"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appendingPathComponent("config/schemas/agent.schema.json").path,
            withDestinationPath: "/dev/zero")
        let result = try Executable.run(["validate"], in: folder.url)
        #expect(result.status == 0 && !result.stdout.contains("written by"), "\(result.stdout)\(result.stderr)")
        try FileManager.default.removeItem(atPath: workflow)
        try folder.write("ci/sync.yml", "# Written by supportsync 0.2.0\non: push\n")
        try FileManager.default.createSymbolicLink(atPath: workflow, withDestinationPath: "../../ci/sync.yml")
        let linked = try Executable.run(["validate"], in: folder.url)
        #expect(linked.stdout.contains("was written by supportsync 0.2.0"), "\(linked.stdout)")
    }

    /// A linked folder counts like a linked file: config/agents pointing
    /// outside the repository is not read.
    @Test func aFolderLinkedOutOfTheRepositoryIsNotRead() throws {
        let folder = try TemporaryFolder(["config/defaults.yaml": "support:\n  mode: nothing\n"])
        let outside = try TemporaryFolder([
            "agents/secret.yaml": Self.badAgent.replacingOccurrences(of: "Billing", with: "SECRET-NAME")
        ])
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appendingPathComponent("config/agents").path,
            withDestinationPath: outside.url.appendingPathComponent("agents").path)
        let result = try Executable.run(["validate"], in: folder.url)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "config/agents/secret.yaml:1:1: error: the file is reached through a symbolic link to a place outside the repository"
            ), "\(result.stdout)")
        #expect(!result.stdout.contains("SECRET") && !result.stderr.contains("SECRET"))
    }

    /// A file named outside the repository is not read, and the error says
    /// so without speaking of a link there is none of.
    @Test func aFileNamedOutsideTheRepositoryIsNotRead() throws {
        let folder = try TemporaryFolder(["config/defaults.yaml": "support:\n  mode: nothing\n"])
        let outside = try TemporaryFolder([
            "secret.yaml": Self.badAgent.replacingOccurrences(of: "Billing", with: "SECRET-NAME")
        ])
        let path = outside.url.appendingPathComponent("secret.yaml").path
        let result = try Executable.run(["validate", path], in: folder.url)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "\(path):1:1: error: the file is outside the repository, which is never read [file-unreadable]"),
            "\(result.stdout)")
        #expect(!result.stdout.contains("SECRET") && !result.stderr.contains("SECRET"))
    }

    /// A key written with escapes cannot recolour a terminal or forge a
    /// `file:line:` line in text output; a tab in it is shown as `\t`.
    @Test func controlCharactersInKeysAreEscaped() throws {
        let hostile =
            Self.goodAgent + "\"x\\e[31mred\\nconfig/agents/forged.yaml:1:1: error: forged\": 1\n\"tab\\tbed\": 2\n"
        let folder = try TemporaryFolder(["config/agents/front-desk.yaml": hostile])
        for format in ["text", "github"] {
            let result = try Executable.run(["validate", "--format", format], in: folder.url)
            #expect(result.status == 1)
            #expect(!result.stdout.contains("\u{1B}"), "\(format): \(result.stdout.debugDescription)")
            #expect(result.stdout.contains("\\u{1B}[31mred\\n"), "\(format): \(result.stdout)")
            #expect(!result.stdout.contains("\nconfig/agents/forged.yaml"))
            #expect(
                !result.stdout.contains("\t") && result.stdout.contains(#"tab\tbed"#), "\(format): \(result.stdout)")
        }
    }
}
