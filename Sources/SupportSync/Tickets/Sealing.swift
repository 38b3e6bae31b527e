import Foundation

/// What of a ticket is customer data, sealed by the platform with the
/// ticket's own key before it reaches git (`supportsync.yaml`,
/// `tickets: {seal: [...]}`).
public enum SealedField: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// The customer's name, e-mail and phone, value by value (a null too).
    case customer
    case summary
    /// Each value of `fields`; the keys stay readable.
    case fields
    /// Free text an agent writes about why it flagged the case.
    case reason

    public static func < (lhs: SealedField, rhs: SealedField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which fields a ticket read returns sealed. Reads without the reveal
/// scope return every field sealed; fewer needs the reveal scope.
public struct Sealing: Sendable, Hashable {
    public var fields: Set<SealedField>

    public init(_ fields: some Sequence<SealedField>) {
        self.fields = Set(fields)
    }

    /// `[customer, summary, fields, reason]`: the default.
    public static let all = Sealing(SealedField.allCases)
    /// Plain values: revealing, or a repository that opted out with `seal: []`.
    public static let none = Sealing([SealedField]())

    public var isEmpty: Bool { fields.isEmpty }
    public func contains(_ field: SealedField) -> Bool { fields.contains(field) }
    /// In the order of `SealedField.allCases`.
    public var sorted: [SealedField] { fields.sorted() }
    /// `customer,summary,fields,reason`, the API's `seal` query parameter.
    public var parameter: String { sorted.map(\.rawValue).joined(separator: ",") }

    /// Reads the API's `seal` parameter; nil when a name is unknown.
    public init?(parameter: String) {
        var fields: [SealedField] = []
        for name in parameter.split(separator: ",", omittingEmptySubsequences: true) {
            guard let field = SealedField(rawValue: String(name)) else { return nil }
            fields.append(field)
        }
        self.init(fields)
    }

    /// The places of `record` this sealing covers, each with its path (the
    /// associated data of the seal), in file order: `customer.name`,
    /// `customer.email`, `customer.phone`, `summary`, `fields.<key>`,
    /// `reason`. Values are JSON: a string or null.
    public func places(in record: TicketRecord) -> [SealedPlace] {
        var places: [SealedPlace] = []
        if contains(.reason) { places.append(.reason) }
        if contains(.summary) { places.append(.summary) }
        if contains(.customer) { places += [.customerName, .customerEmail, .customerPhone] }
        if contains(.fields) { places += record.report.fields.keys.sorted().map(SealedPlace.field) }
        return places
    }
}

/// One sealed place of a ticket, and its path as associated data.
public enum SealedPlace: Sendable, Hashable {
    case reason, summary, customerName, customerEmail, customerPhone
    case field(String)

    /// `reason`, `summary`, `customer.email`, `fields.order_id`.
    public var path: String {
        switch self {
        case .reason: return "reason"
        case .summary: return "summary"
        case .customerName: return "customer.name"
        case .customerEmail: return "customer.email"
        case .customerPhone: return "customer.phone"
        case .field(let key): return "fields." + key
        }
    }

    /// The value in `record`; `.some(nil)` for a null customer detail.
    public func value(in record: TicketRecord) -> String?? {
        switch self {
        case .reason: return .some(record.report.reason)
        case .summary: return .some(record.report.summary)
        case .customerName: return .some(record.report.customer.name)
        case .customerEmail: return .some(record.report.customer.email)
        case .customerPhone: return .some(record.report.customer.phone)
        case .field(let key): return record.report.fields[key].map { .some($0) }
        }
    }

    /// Writes `value` into `record`. A null for text that may not be null
    /// (summary, reason, a field's value) is written as empty text.
    public func set(_ value: String?, in record: inout TicketRecord) {
        switch self {
        case .reason: record.report.reason = value ?? ""
        case .summary: record.report.summary = value ?? ""
        case .customerName: record.report.customer.name = value
        case .customerEmail: record.report.customer.email = value
        case .customerPhone: record.report.customer.phone = value
        case .field(let key): record.report.fields[key] = value ?? ""
        }
    }

    /// Every place of `record` that can hold customer data, sealed or not.
    public static func all(in record: TicketRecord) -> [SealedPlace] { Sealing.all.places(in: record) }
}

/// A sealed value as written in a ticket file and sent by the API:
/// `sealed:v1:<key id>:<base64>`, one string. This is its syntax only;
/// opening it takes the ticket's key (`TicketSealing`).
public struct SealedValue: Sendable, Hashable {
    public static let prefix = "sealed:v1:"
    /// Ciphertexts are plaintexts padded to this many bytes, plus the tag.
    public static let bucket = 32
    public static let tagSize = 16

    public var keyID: String
    /// The ciphertext followed by the tag.
    public var payload: [UInt8]

    public init(keyID: String, payload: [UInt8]) {
        self.keyID = keyID
        self.payload = payload
    }

    /// Cheap: whether `text` claims to be sealed (it may still be malformed).
    public static func isSealed(_ text: String) -> Bool { text.utf8.starts(with: prefix.utf8) }

    /// Reads `text`; nil with why when it claims to be sealed but is malformed.
    public static func parse(_ text: String) -> Result<SealedValue, Malformed> {
        switch keyID(of: text) {
        case .failure(let malformed): return .failure(malformed)
        case .success(let keyID):
            // All ASCII once checked: characters are bytes.
            guard let payload = Base64.decode(text.dropFirst(prefix.count + keyID.count + 1)) else {
                return .failure(Malformed("its ciphertext is not base64"))
            }
            return .success(SealedValue(keyID: keyID, payload: payload))
        }
    }

    /// Checks `text` byte by byte and decodes nothing: the key id of a
    /// well-formed sealed value (exactly what `parse` accepts), else why it
    /// is not one. What a pull asks of every value a platform sends.
    public static func keyID(of text: String) -> Result<String, Malformed> {
        var text = text
        return text.withUTF8(keyID(of:))
    }

    private static func keyID(of bytes: UnsafeBufferPointer<UInt8>) -> Result<String, Malformed> {
        guard bytes.starts(with: prefix.utf8) else { return .failure(Malformed("it does not start with '\(prefix)'")) }
        let rest = bytes.dropFirst(prefix.utf8.count)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else {
            return .failure(Malformed("it has no key id; a sealed value is \(prefix)<key id>:<base64>"))
        }
        guard isKeyID(rest[..<colon]) else {
            return .failure(Malformed("its key id is not 16 lowercase hexadecimal digits"))
        }
        guard let count = Base64.decodedCount(rest[rest.index(after: colon)...]) else {
            return .failure(Malformed("its ciphertext is not base64"))
        }
        guard count >= bucket + tagSize, (count - tagSize) % bucket == 0 else {
            return .failure(Malformed("its ciphertext has \(count) bytes, not a sealed value's length"))
        }
        return .success(String(decoding: rest[..<colon], as: UTF8.self))
    }

    /// `sealed:v1:<key id>:<base64>`.
    public var text: String { Self.prefix + keyID + ":" + Base64.encode(payload) }

    /// `text` with each sealed value in it shown as `(sealed)`, and a
    /// withheld one as `(withheld)`: tables and histories stay readable, and
    /// say that a value changed without printing ciphertext.
    public static func abbreviated(_ text: String) -> String {
        if WithheldValue.isWithheld(text) { return "(withheld)" }
        guard text.contains(prefix) else { return text }
        var output = ""
        var rest = Substring(text)
        let sealedCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/=:")
        while let range = rest.range(of: prefix) {
            output += rest[..<range.lowerBound] + "(sealed)"
            rest = rest[range.upperBound...].drop { sealedCharacters.contains($0) }
        }
        return output + rest
    }

    public static func isKeyID(_ text: String) -> Bool { isKeyID(text.utf8) }

    static func isKeyID(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count == 16 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The sealed values of `record` at the places `sealing` covers, by
    /// place; a place holding plain text is missing from the answer.
    public static func values(in record: TicketRecord, sealing: Sealing) -> [SealedPlace: String] {
        var values: [SealedPlace: String] = [:]
        for place in sealing.places(in: record) {
            if case .some(.some(let text)) = place.value(in: record), isSealed(text) { values[place] = text }
        }
        return values
    }

    /// When `record`'s well-formed sealed values (at the places `sealing`
    /// covers) are sealed with more than one key: the ticket's own key, the
    /// one most of them are sealed with, and each value sealed with another
    /// (moved from another ticket). Nil when one key seals them all.
    public static func mixedKeys(
        in record: TicketRecord, sealing: Sealing
    ) -> (key: String, others: [(place: SealedPlace, keyID: String)])? {
        let keyed = values(in: record, sealing: sealing).compactMap { place, text in
            (try? keyID(of: text).get()).map { (place: place, keyID: $0) }
        }.sorted { $0.place.path < $1.place.path }
        let counts = Dictionary(keyed.map { ($0.keyID, 1) }, uniquingKeysWith: +)
        guard counts.count > 1,
            let key = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key
        else { return nil }
        return (key, keyed.filter { $0.keyID != key })
    }

    /// The places `sealing` covers where `record` holds anything but a
    /// well-formed sealed value or the withheld mark (plain text, a null, or
    /// text that merely starts like one), which a sealed read must never
    /// return. For an
    /// erased ticket: every place that still holds any value at all.
    public static func plainPlaces(in record: TicketRecord, sealing: Sealing) -> [SealedPlace] {
        guard record.erasure == nil else {
            return SealedPlace.all(in: record).filter { place in
                guard case .some(.some(let text)) = place.value(in: record) else { return false }
                return !text.isEmpty
            }
        }
        return sealing.places(in: record).filter { place in
            guard case .some(.some(let text)) = place.value(in: record) else { return true }
            if WithheldValue.isWithheld(text) { return false }
            guard case .success = keyID(of: text) else { return true }
            return false
        }
    }
}

/// A value a platform holds no key for, kept out of git altogether: with
/// sealing on, such a platform (Vapi) writes `withheld:v1` in each place it
/// would seal, and `tickets show --reveal` reads the value from the
/// platform, where erasing it means deleting the conversation.
public enum WithheldValue {
    public static let text = "withheld:v1"

    public static func isWithheld(_ value: String) -> Bool { value == text }

    /// Whether `value` stands for customer data kept elsewhere: sealed or withheld.
    public static func hidesValue(_ value: String) -> Bool { isWithheld(value) || SealedValue.isSealed(value) }

    /// Whether any place of `record` that can hold customer data is withheld.
    public static func isWithheld(in record: TicketRecord) -> Bool {
        places(in: record).isEmpty == false
    }

    /// The places of `record` that hold the withheld mark.
    public static func places(in record: TicketRecord) -> [SealedPlace] {
        SealedPlace.all(in: record).filter { place in
            guard case .some(.some(let value)) = place.value(in: record) else { return false }
            return isWithheld(value)
        }
    }

    /// `record` with every place `sealing` covers holding the withheld mark.
    public static func withholding(_ record: TicketRecord, sealing: Sealing) -> TicketRecord {
        var withheld = record
        for place in sealing.places(in: record) { place.set(text, in: &withheld) }
        return withheld
    }
}

/// What a platform records when it erases a ticket's customer data: when,
/// by whom and why, and nothing of the data. The ticket file carries it in
/// place of the sealed values, which are emptied.
public struct Erasure: Sendable, Hashable, Codable {
    /// RFC 3339, UTC.
    public var at: String
    public var by: String
    public var reason: String

    public init(at: String, by: String, reason: String) {
        self.at = at
        self.by = by
        self.reason = reason
    }

    public static let keys = ["at", "by", "reason"]

    /// An erasure made at `now`, in UTC to the second.
    public init(now: Date = Date(), by: String, reason: String) {
        self.init(at: now.formatted(Date.ISO8601FormatStyle()), by: by, reason: reason)
    }

    /// `record` erased, as a platform that forgets erased tickets reports
    /// it (version `erased`, changed at the erasure).
    public func erased(_ record: TicketRecord) -> Ticket {
        Ticket(record: applied(to: record), stamp: PlatformStamp(version: "erased", updatedAt: at))
    }

    /// `record` with every place that can hold customer data emptied (a
    /// customer detail null, text empty, `fields` without values) and this
    /// record in place: what an erased ticket holds, on the platform and in git.
    public func applied(to record: TicketRecord) -> TicketRecord {
        var erased = record
        erased.report.reason = ""
        erased.report.summary = ""
        erased.report.customer = Customer()
        erased.report.fields = [:]
        erased.erasure = self
        return erased
    }
}

/// Standard base64 (RFC 4648, with padding), for sealed values and keys.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Nil unless `text` is canonical padded base64.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard decodedCount(text.utf8) != nil, let data = Data(base64Encoded: String(text)) else { return nil }
        return [UInt8](data)
    }

    /// How many bytes `text` decodes to, when it is canonical padded base64
    /// (what `encode` writes: a multiple of four characters of the standard
    /// alphabet, `=` only as the padding, zero bits under the padding; one
    /// value, one spelling); nil otherwise. Nothing is decoded.
    public static func decodedCount(_ text: some Collection<UInt8>) -> Int? {
        guard text.count % 4 == 0 else { return nil }
        let equals = UInt8(ascii: "=")
        var padding = 0
        var last: UInt8 = 0
        for byte in text {
            if byte == equals {
                padding += 1
                continue
            }
            let value = sextets[Int(byte)]
            guard padding == 0, value < 64 else { return nil }
            last = value
        }
        switch padding {
        case 0: break
        // The last character before one `=` carries 4 bits of data, before two, 2.
        case 1: guard last & 0b11 == 0 else { return nil }
        case 2: guard last & 0b1111 == 0 else { return nil }
        default: return nil
        }
        return text.count / 4 * 3 - padding
    }

    /// Each byte's value as a base64 digit; 0xFF for a byte that is not one.
    private static let sextets: [UInt8] = (0...255).map { byte -> UInt8 in
        switch UInt8(byte) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(byte) - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(byte) - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: 0xFF
        }
    }
}
