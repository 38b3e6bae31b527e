/// An error caused by what the user asked for, as opposed to a bug: its
/// description says what to change, and it carries its exit status.
public protocol UserError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
    /// Where in a file the cause is, when a file is (a ticket file that does
    /// not validate): printed, and carried by the JSON failure document.
    var diagnostics: [Diagnostic] { get }
}

extension UserError {
    public var diagnostics: [Diagnostic] { [] }
}

extension ConfigError: UserError {
    public var exitStatus: ExitStatus { .usage }
}

/// A refused or missing resource needs a person (1); anything else is a
/// failed operation (3), a token refused for its scope (403) included, as
/// for a wrong token (401): SPEC section 6.
extension PlatformError: UserError {
    public var exitStatus: ExitStatus {
        switch self {
        case .notFound, .versionConflict, .invalid: return .needsAttention
        default: return .failure
        }
    }
}
