/// The exit codes of every command (SPEC section 6).
public enum ExitStatus: Int32, Sendable, Comparable {
    /// Done, nothing wrong.
    case success = 0
    /// The input needs a person: invalid config, audit violations, conflicts.
    case needsAttention = 1
    /// Changes pending (only with `plan --detailed-exitcode`).
    case changesPending = 2
    /// An operation failed: platform unreachable, 5xx after retries, git failure.
    case failure = 3
    /// Usage: bad flags, not a git repository for ticket commands, no platform in CI.
    case usage = 64

    /// When several outcomes apply, 3 wins over 1, which wins over 0.
    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool {
        lhs.severityRank < rhs.severityRank
    }

    private var severityRank: Int {
        switch self {
        case .success: return 0
        case .changesPending: return 1
        case .needsAttention: return 2
        case .failure: return 3
        case .usage: return 4
        }
    }
}

/// The version `supportsync --version` prints.
public enum SupportSyncVersion {
    public static let current = "0.5.0"
}
