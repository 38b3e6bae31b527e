/// An error caused by what the user asked for, as opposed to a bug: its
/// description says what to change, and it carries its exit status.
public protocol UserError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

extension ConfigError: UserError {
    public var exitStatus: ExitStatus { .usage }
}
