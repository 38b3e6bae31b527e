import Hummingbird
import SupportSync

/// What a token may do. `read` reads agents and sealed tickets; `sync` adds
/// applying agents and patching team fields; `reveal` adds keys and plain
/// customer data; `erase` adds erasure; `create` is what an agent does when
/// it flags a case. Each scope but `read` includes `read`.
public enum TokenScope: String, Sendable, Hashable, CaseIterable, Comparable {
    case read, sync, reveal, erase, create

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The scopes a token given `scope` holds.
    public var granted: Set<TokenScope> { self == .read ? [.read] : [.read, self] }
}

/// A bearer token and what it may do. Never printed: its description names
/// the scopes only.
public struct ScopedToken: Sendable, CustomStringConvertible {
    let secret: [UInt8]
    public let scopes: Set<TokenScope>

    /// - Precondition: `token` is not empty.
    public init(_ token: String, scopes: Set<TokenScope>) {
        precondition(!token.isEmpty, "a platform token must not be empty")
        secret = Array(token.utf8)
        self.scopes = scopes
    }

    /// A token with every scope (`SUPPORTSYNC_TOKEN`).
    public static func full(_ token: String) -> ScopedToken { ScopedToken(token, scopes: Set(TokenScope.allCases)) }

    public var description: String { "token(\(scopes.sorted().map(\.rawValue).joined(separator: ", ")))" }
}

/// The request context of the platform API: what the request's token may do,
/// set by `BearerAuthMiddleware` before any handler runs.
public struct PlatformRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var scopes: Set<TokenScope> = []

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Refuses with 403 unless the token holds `scope`, saying which it lacks.
    func require(_ scope: TokenScope, for what: String) throws(PlatformError) {
        guard scopes.contains(scope) else {
            throw .forbidden("this token may not \(what): it lacks the \(scope.rawValue) scope")
        }
    }
}
