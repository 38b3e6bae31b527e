import Foundation

/// A customer named by e-mail (any case) or phone (digits only, so any
/// punctuation or spacing matches).
public struct CustomerMatch: Sendable {
    public let email: String?
    public let digits: String?

    public init(_ contact: String) throws(PlatformError) {
        let text = contact.trimmingCharacters(in: .whitespaces)
        if text.contains("@") {
            email = text.lowercased()
            digits = nil
        } else {
            let digits = text.filter(\.isASCII).filter(\.isNumber)
            guard digits.count >= 5 else {
                throw .invalid(field: "customer", message: "name a customer by e-mail or by phone number")
            }
            email = nil
            self.digits = digits
        }
    }

    public func matches(_ customer: Customer) -> Bool {
        if let email { return customer.email?.trimmingCharacters(in: .whitespaces).lowercased() == email }
        guard let digits, let phone = customer.phone else { return false }
        return phone.filter(\.isASCII).filter(\.isNumber) == digits
    }
}
