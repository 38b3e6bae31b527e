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
    /// the very data it erases there.
    ///
    /// Both sides are compared in one folded form (`folded(_:)`): lookalike
    /// and full-width forms as their plain letters and digits (`＠`, `１`),
    /// invisible characters left out (a zero-width space), any case, and
    /// letters without their accents. An e-mail address matches with any
    /// spacing inside; a phone number by its digits (at least 5, the same
    /// the customer selection needs), written with any marks but letters
    /// between them, or its last 7 digits (a national form); a name
    /// of 3 characters or more as whole words next to each other, in any
    /// order and with any spacing or punctuation between, and one of 6
    /// letters or more also with its letters run together as one word or
    /// spaced out (`LucasMartin`, `L u c a s  M a r t i n`). An e-mail address's `@`
    /// and dots also match written out in brackets (`(at)`, `[dot]`).
    public static func customerDetail(of customer: Customer, in text: String) -> String? {
        let folded = Self.folded(text)
        var squeezed = String(folded.unicodeScalars.filter { !$0.properties.isWhitespace })
        for (written, sign) in [
            ("(at)", "@"), ("[at]", "@"), ("{at}", "@"), ("(dot)", "."), ("[dot]", "."), ("{dot}", "."),
        ] {
            squeezed = squeezed.replacingOccurrences(of: written, with: sign)
        }
        if let email = customer.email.map({
            String(Self.folded($0).unicodeScalars.filter { !$0.properties.isWhitespace })
        }),
            email.count >= 3, squeezed.contains(email)
        {
            return "e-mail address"
        }
        if let phone = customer.phone {
            let digits = Self.folded(phone).filter(\.isASCII).filter(\.isNumber)
            // Each run of digits with anything but letters between them
            // (`612 345 678`, `612_345_678`, `612,345,678`, and a date or
            // another number beside it): the whole number inside it, or its
            // last 7 digits (a national form).
            let runs = folded.split { $0.isLetter }.map { $0.filter { $0.isASCII && $0.isNumber } }
            let national = String(digits.suffix(7))
            if digits.count >= 5,
                runs.contains(where: { $0.contains(digits) || (digits.count >= 7 && $0.contains(national)) })
            {
                return "phone number"
            }
        }
        if let name = customer.name.map(Self.folded), name.filter({ !$0.isWhitespace }).count >= 3 {
            // Words of letters: digits end a word too ("Berg1990" holds Berg).
            let words = { (text: String) in text.split { !$0.isLetter }.map(String.init) }
            let nameWords = words(name)
            let textWords = words(folded)
            // Its words next to each other, in any order ("Núñez, José");
            // words of the name scattered through a sentence are ordinary
            // words ("he asked for an erasure" for He An).
            let sortedName = nameWords.sorted()
            if !nameWords.isEmpty, textWords.count >= nameWords.count,
                (0...(textWords.count - nameWords.count)).contains(where: {
                    textWords[$0..<($0 + nameWords.count)].sorted() == sortedName
                })
            {
                return "name"
            }
            // A name of 6 letters or more, its words in the name's order or
            // reversed ("MartinLucas"): run together as a word of its own,
            // or, a name of two words or more, inside a word
            // ("@HannahBergOfficial", a script written without spaces);
            // spelled out one letter a word; or its words next to each
            // other with the first ending a word and the last starting one,
            // past them no Latin letter (an honorific written straight
            // after it, in a script without spaces). A name of one word
            // only as a whole word: "just in time" holds no Justin, and
            // Alexandra no Sandra.
            let orders = [nameWords, nameWords.reversed()]
            let forms = Set(orders.map { $0.joined() }.filter { $0.count >= 6 })
            if textWords.contains(where: { forms.contains($0) }) { return "name" }
            if nameWords.count > 1, textWords.contains(where: { word in forms.contains { word.contains($0) } }) {
                return "name"
            }
            var spaced = ""
            for word in textWords + [""] {
                if word.count == 1 {
                    spaced += word
                    continue
                }
                if forms.contains(where: { spaced.contains($0) }) { return "name" }
                spaced = ""
            }
            let count = nameWords.count
            if count > 1, nameWords.joined().count >= 6, textWords.count >= count {
                for order in orders {
                    for start in 0...(textWords.count - count) {
                        let window = textWords[start..<(start + count)]
                        // Past the name, no Latin letter: "Martinez" holds no Martin.
                        let matches = window.enumerated().allSatisfy { offset, word in
                            let part = order[offset]
                            if word == part { return true }
                            if offset == 0, word.hasSuffix(part) { return !word.dropLast(part.count).last!.isASCII }
                            if offset == count - 1, word.hasPrefix(part) {
                                return !word.dropFirst(part.count).first!.isASCII
                            }
                            return false
                        }
                        if matches { return "name" }
                    }
                }
            }
        }
        return nil
    }

    /// `text` as the customer-detail check compares it: compatibility forms
    /// as their plain characters (NFKC: `＠` is `@`, `１` is `1`), default-
    /// ignorable characters (zero-width spaces and joiners, soft hyphens,
    /// direction marks) left out, lower case, without accents.
    static func folded(_ text: String) -> String {
        let plain = text.precomposedStringWithCompatibilityMapping
        let visible = String(
            String.UnicodeScalarView(plain.unicodeScalars.filter { !$0.properties.isDefaultIgnorableCodePoint }))
        return visible.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
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
