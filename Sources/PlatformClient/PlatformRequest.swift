import Foundation

/// One logical call of the platform API, sent once or, after a retryable
/// failure, again with the same headers and body.
package struct PlatformRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET"
        case put = "PUT"
        case post = "POST"
        case patch = "PATCH"
        case delete = "DELETE"
    }

    package var method: Method
    /// Already percent-encoded, starting with `/v1/`; the base URL's path goes in front.
    package var path: String
    /// Percent-encoded `name=value` pairs.
    package var query: [String] = []
    package var body: Data?
    package var ifMatch: String?
    /// `If-None-Match: *`: only when there is no such resource yet.
    package var ifNoneMatchAny = false
    package var idempotencyKey: String?
    /// Set by an API whose writes are idempotent by their meaning (a PATCH
    /// that replaces fields with values); nil: decided by method and headers.
    package var idempotent: Bool?
    /// What the call is about, as messages name it: "agent billing-line".
    package var resource: String

    package init(_ method: Method, _ segments: [String], query: [(String, String)] = [], resource: String) {
        self.method = method
        self.path = "/" + segments.map(Self.encodeSegment).joined(separator: "/")
        self.query = query.map { Self.encodeComponent($0.0) + "=" + Self.encodeComponent($0.1) }
        self.resource = resource
    }

    /// Whether sending the request twice does no more than sending it once,
    /// so that a timeout or a 5xx, which may come after the server acted,
    /// can be retried. PUT replaces as a whole (RFC 9110 counts it
    /// idempotent); PATCH only when it is conditional; POST only with its
    /// `Idempotency-Key`, which the client always sends.
    var isIdempotent: Bool {
        if let idempotent { return idempotent }
        switch method {
        case .get, .put, .delete: return true
        case .patch: return ifMatch != nil
        case .post: return idempotencyKey != nil
        }
    }

    /// `path?query`, as sent and as named in messages.
    package var target: String {
        query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }

    /// `If-Match` wants an entity tag, which is quoted; the API hands out
    /// bare versions, and accepts both. A value that is already a tag goes
    /// as it is; one with a quote inside cannot be quoted, and goes bare.
    static func entityTag(_ version: String) -> String {
        if version.hasPrefix("\"") || version.hasPrefix("W/\"") || version.contains("\"") {
            return version
        }
        return "\"" + version + "\""
    }

    /// Only unreserved characters pass; everything else, `/` and `?`
    /// included, is percent-encoded, so an id is always one path segment.
    static func encodeComponent(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    /// As `encodeComponent`, but `.` and `..` are spelled `%2E`: servers and
    /// proxies resolve dot segments, which would turn `agents/..` into a
    /// different resource.
    static func encodeSegment(_ text: String) -> String {
        if text == "." || text == ".." {
            return String(repeating: "%2E", count: text.count)
        }
        return encodeComponent(text)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
