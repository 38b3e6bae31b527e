import Foundation
import Git
import SupportSync
import SupportSyncGit

/// `supportsync init` and `init --check`: what they do and what they print.
public enum InitRun {
    /// What `init` did: each file, the branch the workflow is for, notes, and the next commands.
    public struct Report: Sendable, Encodable {
        public var files: [Scaffold.Entry]
        public var branch: String
        public var notes: [String]
        public var next: [String]

        public var text: String {
            var out = ""
            for entry in files {
                let outcome = entry.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                out += "\(outcome)\(entry.path)\(entry.note.map { " (\($0))" } ?? "")\n"
            }
            for note in notes { out += "note: \(note)\n" }
            return out + "\nNext:\n" + next.map { "  \($0)\n" }.joined()
        }

        public var json: String { JSONDocument.render(self) }

        /// The files that could not be written, as one error (exit 3); nil when all were.
        public var failure: ScaffoldError? {
            let failed = files.filter { $0.outcome == .failed }
            guard let first = failed.first else { return nil }
            return ScaffoldError(
                path: first.path,
                reason: (first.note ?? "") + (failed.count > 1 ? "; and \(failed.count - 1) more (above)" : ""))
        }
    }

    /// A scaffold for `root`: the workflow for `branch`, else the branch the repository is on.
    public static func scaffold(root: URL, action: String?, branch: String?) -> Scaffold {
        Scaffold(root: root, action: action, branch: branch ?? Scaffold.detectBranch(root: root))
    }

    /// Writes every file that does not exist yet.
    public static func run(_ scaffold: Scaffold) throws -> Report {
        // A bare repository's folder holds git's own files (`config`, `HEAD`): no working tree to write in.
        if let repository = try? Repository.open(at: scaffold.root.path), repository.isBare {
            throw InitError.bareRepository(scaffold.root.path)
        }
        let entries = try scaffold.run()
        let inGit = (try? Repository.discover(from: scaffold.root.path)) != nil
        let next = [
            "supportsync validate",
            (inGit ? "" : "git init && ") + "git add -A && git commit -m \"Add supportsync\"",
            "supportsync sync --platform local",
        ]
        var notes: [String] = []
        let workflow = entries.first { $0.path == Scaffold.workflowPath }
        if workflow?.outcome == .created {
            notes.append("\(Scaffold.workflowPath) syncs on branch \(scaffold.branch) with \(scaffold.action)")
            notes.append(
                "in CI, set the repository secrets SUPPORTSYNC_PLATFORM (the platform's URL), SUPPORTSYNC_READ_TOKEN (read scope, pull requests) and SUPPORTSYNC_SYNC_TOKEN (sync scope, the sync job)"
            )
        } else if workflow?.outcome == .kept {
            notes.append(
                "\(Scaffold.workflowPath) exists: supportsync init --check compares it with what this version writes")
        }
        return Report(files: entries, branch: scaffold.branch, notes: notes, next: next)
    }

    /// What `init --check` found: each versioned file compared with what this version writes.
    public struct Check: Sendable, Encodable {
        public var version = SupportSyncVersion.current
        public var files: [Scaffold.Comparison]

        /// 1 when a file is older than this version or missing.
        public var status: ExitStatus { files.contains(where: \.needsUpdate) ? .needsAttention : .success }

        public var text: String {
            var out = ""
            for comparison in files {
                let by = comparison.writtenBy.map { "written by supportsync \($0)" } ?? "no version marker"
                switch comparison.state {
                case .current: out += "current  \(comparison.path)\n"
                case .missing: out += "missing  \(comparison.path) (supportsync init writes it)\n"
                case .outdated: out += "outdated \(comparison.path) (\(by); this is \(SupportSyncVersion.current))\n"
                case .edited: out += "edited   \(comparison.path) (\(by), changed since)\n"
                case .own:
                    out +=
                        "own      \(comparison.path) (runs supportsync sync; init writes and compares GitHub workflows only)\n"
                }
                if !comparison.diff.isEmpty { out += comparison.diff + (comparison.diff.hasSuffix("\n") ? "" : "\n") }
            }
            return out
        }

        public var json: String { JSONDocument.render(self) }
    }

    /// Compares without writing; the action and branch the file names are
    /// used unless given.
    public static func check(_ scaffold: Scaffold, actionGiven: Bool, branchGiven: Bool) throws -> Check {
        Check(files: try scaffold.check(actionGiven: actionGiven, branchGiven: branchGiven))
    }
}

/// Why `init` wrote nothing.
public enum InitError: UserError {
    case bareRepository(String)

    public var description: String {
        switch self {
        case .bareRepository(let path):
            return
                "\(PrintableText.escaping(path)) is a bare repository, with no working tree for init to write in: run init in a clone"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}
