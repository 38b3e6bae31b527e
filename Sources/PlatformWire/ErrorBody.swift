import SupportSync

/// The JSON the platform API's client and server share beyond the domain
/// types: the error body, and how a `PlatformError` maps to an HTTP status.

/// `{"error": {"code": "...", "message": "...", "field": "..."}}`, on every failure.
public struct ErrorBody: Sendable, Codable {
    public struct Detail: Sendable, Codable {
        public var code: String
        public var message: String
        public var field: String?
    }

    public var error: Detail

    public init(_ error: PlatformError) {
        var message = error.message
        var field: String?
        if case .invalid(let f, let m) = error {
            field = f
            message = m
        }
        self.error = Detail(code: error.code, message: message, field: field)
    }

    /// A body for an HTTP failure with no `PlatformError` of its own (405).
    public init(code: String, message: String) {
        self.error = Detail(code: code, message: message, field: nil)
    }

    /// The error this body stands for, given the response status.
    public func platformError(status: Int) -> PlatformError {
        switch status {
        case 404: return .notFound(error.message)
        case 412: return .versionConflict(error.message)
        case 422: return .invalid(field: error.field, message: error.message)
        case 400: return .badRequest(error.message)
        case 401: return .unauthorized(error.message)
        case 403: return .forbidden(error.message)
        case 413: return .tooLarge(error.message)
        case 429, 503: return .unavailable(error.message)
        default: return .failed("HTTP \(status): \(error.message)")
        }
    }
}

extension PlatformError {
    /// The HTTP status the API answers this error with.
    public var httpStatus: Int {
        switch self {
        case .notFound: return 404
        case .versionConflict: return 412
        case .invalid: return 422
        case .badRequest: return 400
        case .unauthorized: return 401
        case .forbidden: return 403
        case .tooLarge: return 413
        case .unavailable: return 503
        case .failed: return 500
        }
    }

    /// The error body's `code`.
    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .versionConflict: return "version_conflict"
        case .invalid: return "invalid"
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .forbidden: return "forbidden"
        case .tooLarge: return "too_large"
        case .unavailable: return "unavailable"
        case .failed: return "internal"
        }
    }
}
