import Foundation
import Git
import SupportSync

/// `supportsync init --check`: each file whose content belongs to a version
/// of supportsync, compared with what this version writes, with libgit2's diff.
extension Scaffold {
    /// Compares each versioned file with what this version writes. The
    /// workflow is compared with the one `init` would write for its branch
    /// and action: those given to `init(root:action:branch:)`, else the ones
    /// the file already names.
    public func check(actionGiven: Bool = false, branchGiven: Bool = false) throws -> [Comparison] {
        try Self.versionedPaths.map { versioned in
            // The team's own sync workflow by another name stands for init's.
            let path = versioned == Self.workflowPath ? Self.syncWorkflow(root: root) : versioned
            if path == Self.gitlabPipelinePath {
                return Comparison(path: path, state: .own, writtenBy: nil, diff: "")
            }
            let current = try? Self.read(path, root: root).get()
            var expected: String
            switch versioned {
            case Self.workflowPath:
                let text = current.map { String(decoding: $0, as: UTF8.self) }
                let named: (action: String?, branch: String?) = text.map(Self.namedInWorkflow) ?? (nil, nil)
                expected = Self.workflow(
                    action: actionGiven ? action : (named.action ?? action),
                    branch: branchGiven ? branch : (named.branch ?? branch))
            case Self.agentSchemaPath: expected = Self.agentSchemaText
            default: expected = Self.ticketSchemaText
            }
            guard let current else {
                return Comparison(
                    path: path, state: .missing, writtenBy: nil,
                    diff: try TextDiff.unified(old: nil, new: Array(expected.utf8), path: path))
            }
            let writtenBy = Self.writer(of: current, path: versioned)
            if current == Array(expected.utf8) {
                return Comparison(path: path, state: .current, writtenBy: writtenBy, diff: "")
            }
            // No marker: an older version's file at init's path, the team's
            // own at another.
            let older = writtenBy.map { Self.isOlder($0, than: SupportSyncVersion.current) } ?? (path == versioned)
            return Comparison(
                path: path, state: older ? .outdated : .edited, writtenBy: writtenBy,
                diff: try TextDiff.unified(old: current, new: Array(expected.utf8), path: path))
        }
    }

    /// The branch a repository at `root` syncs: the remote's default branch
    /// when `origin/HEAD` names one, else the branch HEAD is on (also unborn,
    /// right after `git init`), nil outside a repository or on a detached HEAD.
    public static func detectBranch(root: URL) -> String? {
        guard let repository = try? Repository.discover(from: root.path) else { return nil }
        if let remote = try? repository.symbolicTarget(of: "refs/remotes/origin/HEAD"),
            remote.hasPrefix("refs/remotes/origin/")
        {
            let name = String(remote.dropFirst("refs/remotes/origin/".count))
            if isValidBranch(name) { return name }
        }
        if let head = try? repository.symbolicTarget(of: "HEAD"), head.hasPrefix("refs/heads/") {
            let name = String(head.dropFirst("refs/heads/".count))
            if isValidBranch(name) { return name }
        }
        return nil
    }
}
