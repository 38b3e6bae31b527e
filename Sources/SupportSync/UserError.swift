/// An error caused by what the user asked for, as opposed to a bug: its
/// description says what to change, and it carries its exit status.
public protocol UserError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

extension ConfigError: UserError {
    public var exitStatus: ExitStatus { .usage }
}

/// A refused or missing resource needs a person (1); anything else is a
/// failed operation (3).
extension PlatformError: UserError {
    public var exitStatus: ExitStatus {
        switch self {
        case .notFound, .versionConflict, .invalid, .forbidden: return .needsAttention
        default: return .failure
        }
    }
}
