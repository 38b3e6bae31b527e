import Crypto
import Foundation
import SupportSync
// AES-GCM-SIV is in swift-crypto's underscored `_CryptoExtras` API
// (`AES.GCM._SIV`); Package.swift pins swift-crypto to an exact version.
import _CryptoExtras

/// A ticket's own key: 256 random bits and an id, kept by the platform
/// next to the ticket's data and never written to disk by the tool.
/// Destroying it erases every sealed copy of the ticket, everywhere.
public struct TicketKey: Sendable, Hashable {
    /// 16 lowercase hexadecimal digits, written in every value it seals.
    public let id: String
    let key: SymmetricKey

    /// A fresh key from the system's random generator.
    public static func generate() -> TicketKey {
        let key = SymmetricKey(size: .bits256)
        let id = SymmetricKey(size: SymmetricKeySize(bitCount: 64)).withUnsafeBytes { Array($0) }
        return TicketKey(id: id.map { String(format: "%02x", $0) }.joined(), key: key)
    }

    /// The key from its id and bytes (as stored, or as the API returns it).
    public init?(id: String, bytes: [UInt8]) {
        guard SealedValue.isKeyID(id), bytes.count == 32 else { return nil }
        self.init(id: id, key: SymmetricKey(data: bytes))
    }

    private init(id: String, key: SymmetricKey) {
        self.id = id
        self.key = key
    }

    /// The key's 32 bytes, for the platform's store and `GET /v1/tickets/{id}/key`.
    public var bytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    public static func == (lhs: TicketKey, rhs: TicketKey) -> Bool { lhs.id == rhs.id && lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// Seals and opens a ticket's customer data, value by value, with AES-GCM-SIV
/// (RFC 8452) under the ticket's key.
///
/// Deterministic on purpose: the nonce is fixed, so the same value under the
/// same key, ticket and field seals to the same bytes, and an unchanged
/// ticket is an unchanged file. AES-GCM-SIV is built for this: reusing its
/// nonce reveals only that two sealed values are equal, and the associated
/// data (format, key id, ticket id, field path) makes equal values in
/// different places seal differently and binds each value to its place, so
/// one moved to another ticket or field fails to open. Plaintexts are padded
/// to 32-byte buckets, so a sealed value tells little about its length.
public enum TicketSealer {
    /// RFC 8452's nonce, all zero: determinism comes from the associated data.
    private static let nonce = try! AES.GCM._SIV.Nonce(data: [UInt8](repeating: 0, count: 12))
    private static let nonceSize = 12

    /// `record` (as the platform stores it: plain) with each place
    /// `sealing` covers sealed under `key`. Every value is sealed, even one
    /// that looks sealed: it is what a customer or an agent wrote. An erased
    /// ticket has nothing left to seal and is returned as it is.
    public static func seal(_ record: TicketRecord, with key: TicketKey, sealing: Sealing) -> TicketRecord {
        guard record.erasure == nil else { return record }
        var sealed = record
        for place in sealing.places(in: record) {
            guard case .some(let value) = place.value(in: record) else { continue }
            place.set(seal(value, at: place.path, of: record.id, with: key), in: &sealed)
        }
        return sealed
    }

    /// `record` with every sealed value opened. Throws, naming the place,
    /// when one does not open: another key, tampered bytes, or a value
    /// moved from another ticket or field.
    ///
    /// `sealing`: the places the repository's platform seals; elsewhere a
    /// value is the customer's text, even one that starts like a sealed value.
    public static func open(_ record: TicketRecord, with key: TicketKey, sealing: Sealing = .all)
        throws(OpenError) -> TicketRecord
    {
        var opened = record
        for place in sealing.places(in: record) {
            guard case .some(.some(let text)) = place.value(in: record), SealedValue.isSealed(text) else { continue }
            place.set(try open(text, at: place.path, of: record.id, with: key), in: &opened)
        }
        return opened
    }

    /// One value (nil for a null), sealed for `path` of ticket `ticketID`.
    public static func seal(_ value: String?, at path: String, of ticketID: String, with key: TicketKey) -> String {
        var plaintext: [UInt8] = value.map { [1] + Array($0.utf8) } ?? [0]
        // ISO/IEC 7816-4 padding to the bucket: 0x80, then zeros.
        plaintext.append(0x80)
        while plaintext.count % SealedValue.bucket != 0 { plaintext.append(0) }
        let box: AES.GCM._SIV.SealedBox
        do {
            box = try AES.GCM._SIV.seal(
                plaintext, using: key.key, nonce: nonce,
                authenticating: associatedData(keyID: key.id, ticketID: ticketID, path: path))
        } catch {
            // Only a key of the wrong size fails here, and TicketKey holds 256 bits.
            preconditionFailure("AES-GCM-SIV refused a 256-bit key: \(error)")
        }
        return SealedValue(keyID: key.id, payload: Array(box.combined.dropFirst(nonceSize))).text
    }

    /// One sealed value opened (nil for a sealed null).
    public static func open(_ text: String, at path: String, of ticketID: String, with key: TicketKey)
        throws(OpenError) -> String?
    {
        let sealed: SealedValue
        switch SealedValue.parse(text) {
        case .failure(let problem): throw OpenError(path: path, reason: problem.description)
        case .success(let value): sealed = value
        }
        guard sealed.keyID == key.id else {
            throw OpenError(
                path: path, reason: "it is sealed with key \(sealed.keyID), not the ticket's key \(key.id)")
        }
        let plaintext: [UInt8]
        do {
            let box = try AES.GCM._SIV.SealedBox(combined: Array(nonce) + sealed.payload)
            plaintext = Array(
                try AES.GCM._SIV.open(
                    box, using: key.key,
                    authenticating: associatedData(keyID: key.id, ticketID: ticketID, path: path)))
        } catch {
            throw OpenError(
                path: path,
                reason:
                    "it does not open with the ticket's key: its bytes were changed, or it was moved from another ticket or field"
            )
        }
        var end = plaintext.count
        while end > 0, plaintext[end - 1] == 0 { end -= 1 }
        guard end >= 2, plaintext[end - 1] == 0x80 else {
            throw OpenError(path: path, reason: "its padding is not valid")
        }
        switch plaintext[0] {
        case 0 where end == 2: return nil
        case 1:
            guard let text = String(validating: plaintext[1..<(end - 1)], as: UTF8.self) else {
                throw OpenError(path: path, reason: "it does not hold UTF-8 text")
            }
            return text
        default: throw OpenError(path: path, reason: "it does not hold a value of this format")
        }
    }

    /// The format, key id, ticket id and path, each ended by a NUL (none of
    /// them may hold one): a value sealed for one place opens only there.
    static func associatedData(keyID: String, ticketID: String, path: String) -> [UInt8] {
        var data = Array("supportsync sealed:v1".utf8) + [0]
        for part in [keyID, ticketID, path] { data += Array(part.utf8) + [0] }
        return data
    }

    public struct OpenError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Where in the ticket: `customer.email`, `summary`.
        public var path: String
        public var reason: String

        public var description: String { "\(path) cannot be opened: \(reason)" }
    }
}
