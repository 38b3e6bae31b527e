import Foundation

/// `supportsync init --check` and `validate`'s warning: the workflow and the
/// schemas `init` wrote belong to a version of supportsync, and `init` never
/// overwrites them, so a repository keeps an older version's files until
/// someone compares them with what this version writes.
extension Scaffold {
    /// One versioned file compared with what this version writes.
    public struct Comparison: Sendable, Codable {
        public enum State: String, Sendable, Codable {
            /// Byte for byte what this version writes.
            case current
            /// Written by an older version (or by 0.1, which wrote no marker).
            case outdated
            /// Carries this version's (or a newer) marker but was edited.
            case edited
            /// Not in the repository.
            case missing
            /// The team's own sync pipeline on another CI (GitLab's), which
            /// init does not write: not compared.
            case own
        }

        public var path: String
        public var state: State
        /// The version the file says wrote it; nil without a marker.
        public var writtenBy: String?
        /// The unified diff from the file to what this version writes.
        public var diff: String

        enum CodingKeys: String, CodingKey {
            case path, state, diff
            case writtenBy = "written_by"
        }

        public init(path: String, state: State, writtenBy: String?, diff: String) {
            self.path = path
            self.state = state
            self.writtenBy = writtenBy
            self.diff = diff
        }

        /// Whether `init --check` fails for it.
        public var needsUpdate: Bool { state == .outdated || state == .missing }
    }

    /// `validate`'s warnings: a versioned file an older supportsync wrote.
    /// Files without a marker are the team's own and are left alone, except
    /// the workflow 0.1 wrote, which is known by its first line.
    public static func outdatedFileDiagnostics(root: URL) -> [Diagnostic] {
        versionedPaths.compactMap { versioned in
            // The team's own sync workflow by another name stands for init's.
            let path = versioned == workflowPath ? syncWorkflow(root: root) : versioned
            guard let data = try? read(path, root: root).get() else { return nil }
            guard let version = writer(of: data, path: versioned),
                isOlder(version, than: SupportSyncVersion.current)
            else { return nil }
            return Diagnostic(
                .initOutdated, at: SourceLocation(file: path, line: 1, column: 1),
                "\(path) was written by supportsync \(version); this version (\(SupportSyncVersion.current)) writes a newer one",
                hint: "run supportsync init --check to see the difference, then apply it by hand")
        }
    }

    // MARK: - Markers

    /// The first line of the workflow 0.1 wrote, which carried no version.
    public static let workflowHeaderOf010 =
        "# supportsync: support settings in config/ and flagged tickets in tickets/."

    /// The version a versioned file says wrote it.
    public static func writer(of bytes: [UInt8], path: String) -> String? {
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if path == workflowPath {
            if head.hasPrefix(workflowHeaderOf010 + "\n") { return "0.1.0" }
            return firstMatch(#"^# Written by supportsync ([0-9]+\.[0-9]+\.[0-9]+)"#, in: head)
        }
        return firstMatch(#""\$comment" *: *"Written by supportsync ([0-9]+\.[0-9]+\.[0-9]+)"#, in: head)
    }

    /// The action and branch an existing workflow names, so `--check`
    /// compares like with like.
    public static func namedInWorkflow(_ text: String) -> (action: String?, branch: String?) {
        var action: String?
        for match in allMatches(#"(?m)^\s*(?:-\s+)?uses:\s*(\S+)"#, in: text) {
            let candidate = match
            if candidate.hasPrefix("actions/") { continue }
            if candidate.contains("/comment@") || candidate.hasSuffix("/comment") { continue }
            if candidate.hasPrefix("./") || candidate.lowercased().contains("supportsync") {
                action = candidate
                break
            }
        }
        // An older version's tag moves to this version's.
        if let current = action, let at = current.lastIndex(of: "@"),
            current[current.index(after: at)...].range(of: #"^v[0-9]+\.[0-9]+\.[0-9]+$"#, options: .regularExpression)
                != nil
        {
            action = String(current[...at]) + "v" + SupportSyncVersion.current
        }
        let branch = firstMatch(#"(?m)^\s+branches:\s*\["?([A-Za-z0-9._/-]+)"?\]"#, in: text)
        return (action, branch)
    }

    public static func isOlder(_ version: String, than other: String) -> Bool {
        let a = version.split(separator: ".").map { Int($0) ?? 0 }
        let b = other.split(separator: ".").map { Int($0) ?? 0 }
        return a.lexicographicallyPrecedes(b)
    }

    private static func firstMatch(_ pattern: String, in text: String) -> String? {
        allMatches(pattern, in: text).first
    }

    private static func allMatches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            guard match.numberOfRanges > 1, let group = Range(match.range(at: 1), in: text) else { return nil }
            return String(text[group])
        }
    }
}
