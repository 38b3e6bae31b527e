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

extension Erasure {
    /// Which of `customer`'s details `text` holds (`"e-mail address"`,
    /// `"phone number"`, `"name"`), nil when none: an erasure's reason and
    /// author go into git in plain text, so a platform refuses to record
    /// the very data it erases there. An e-mail address matches in any
    /// case; a phone number by its digits (at least 5, the same the
    /// customer selection needs), written with any spaces, dots, dashes or
    /// brackets, or its last 7 digits or more (a national form); a name of
    /// 3 characters or more as a whole word, in any case.
    public static func customerDetail(of customer: Customer, in text: String) -> String? {
        let lowered = text.lowercased()
        if let email = customer.email?.trimmingCharacters(in: .whitespaces).lowercased(), email.count >= 3,
            lowered.contains(email)
        {
            return "e-mail address"
        }
        if let phone = customer.phone {
            let digits = phone.filter(\.isASCII).filter(\.isNumber)
            // Each run of digits and the separators a number is written with.
            let runs = text.split { !($0.isASCII && ($0.isNumber || " +-.()/".contains($0))) }
                .map { $0.filter(\.isNumber) }.filter { $0.count >= 5 }
            if digits.count >= 5,
                runs.contains(where: { $0.contains(digits) || ($0.count >= 7 && digits.hasSuffix($0)) })
            {
                return "phone number"
            }
        }
        if let name = customer.name?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), name.count >= 3,
            let found = lowered.range(of: name)
        {
            let before = found.lowerBound == lowered.startIndex ? nil : lowered[lowered.index(before: found.lowerBound)]
            let after = found.upperBound == lowered.endIndex ? nil : lowered[found.upperBound]
            if !(before?.isLetter ?? false), !(before?.isNumber ?? false), !(after?.isLetter ?? false),
                !(after?.isNumber ?? false)
            {
                return "name"
            }
        }
        return nil
    }

    /// Refuses an erasure of a customer's tickets (`--customer CONTACT`)
    /// whose `reason` or `by` holds that e-mail address or phone number.
    public static func requireNoCustomerData(reason: String, by: String, contact: String) throws(PlatformError) {
        let named = contact.contains("@") ? Customer(email: contact) : Customer(phone: contact)
        try requireNoCustomerData(reason: reason, by: by, customer: named, ticket: nil)
    }

    /// Refuses an erasure whose `reason` or `by` holds a detail of the
    /// customer of `ticket`.
    public static func requireNoCustomerData(
        reason: String, by: String, customer: Customer, ticket: String?
    ) throws(PlatformError) {
        for (field, text) in [("reason", reason), ("by", by)] {
            guard let detail = customerDetail(of: customer, in: text) else { continue }
            let whose =
                ticket.map { "the customer's \(detail) of ticket \(PrintableText.escaping($0))" }
                ?? "the customer's \(detail)"
            throw .invalid(
                field: field,
                message:
                    "the erasure's \(field) holds \(whose), and it is kept in git in plain text; write the request's reference instead (nothing was erased)"
            )
        }
    }
}
