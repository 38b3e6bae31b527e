import Foundation
import Testing

@testable import SupportSync

/// `SealedValue` and `Base64`: the byte-by-byte checks a pull runs on every
/// value agree with decoding it.
@Suite struct SealedValueTests {
    /// Canonical base64 as defined by decoding: Foundation reads it and
    /// writes it back the same.
    static func canonical(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text) else { return nil }
        return data.base64EncodedString() == text ? [UInt8](data) : nil
    }

    @Test func everyEncodingIsCanonicalWithItsLength() {
        var generator = SystemRandomNumberGenerator()
        for count in 0...70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64.encode(bytes)
            #expect(Base64.decodedCount(text.utf8) == count, "\(text)")
            #expect(Base64.decode(text) == bytes)
        }
    }

    @Test func aChangedCharacterIsRefusedExactlyWhenDecodingDisagrees() {
        // Every character of these, replaced by each of these, removed, or
        // doubled: the check without decoding says what decoding says.
        let samples = ["", "AA==", "AAA=", "AAAA", "/+9z", "QUJD", "QUI=", "QQ==", "QUJDRA==", "SGVsbG8gd29ybGQh"]
        let replacements = Array("AQBgw/+=-_ .\n\u{0}é")
        var checked = 0
        for sample in samples {
            let characters = Array(sample)
            var variants = [sample, sample + "=", sample + "A", "=" + sample]
            for index in characters.indices {
                for replacement in replacements {
                    var changed = characters
                    changed[index] = replacement
                    variants.append(String(changed))
                }
                var removed = characters
                removed.remove(at: index)
                variants.append(String(removed))
                var doubled = characters
                doubled.insert(characters[index], at: index)
                variants.append(String(doubled))
            }
            for variant in variants {
                let expected = Self.canonical(variant)
                #expect(Base64.decode(variant) == expected, "\(variant.debugDescription)")
                #expect(Base64.decodedCount(variant.utf8) == expected?.count, "\(variant.debugDescription)")
                checked += 1
            }
        }
        #expect(checked > 900)
    }

    @Test func theKeyIDCheckAcceptsWhatParseReads() {
        let key = "0123456789abcdef"
        let payload48 = Base64.encode(Array(repeating: 7, count: 48))
        let texts = [
            "sealed:v1:\(key):\(payload48)",
            "sealed:v1:\(key):\(Base64.encode(Array(repeating: 1, count: 80)))",
            "sealed:v1:\(key):\(Base64.encode(Array(repeating: 1, count: 47)))",
            "sealed:v1:\(key):\(Base64.encode(Array(repeating: 1, count: 16)))",
            "sealed:v1:\(key):",
            "sealed:v1:\(key)",
            "sealed:v1:0123456789ABCDEF:\(payload48)",
            "sealed:v1:0123456789abcde:\(payload48)",
            "sealed:v1:\(key):\(payload48.dropLast())",
            "sealed:v1:\(key):\(payload48)=",
            "sealed:v1:\(key):\(payload48.replacingOccurrences(of: "B", with: "-"))",
            "sealed:v2:\(key):\(payload48)",
            "Sealed:v1:\(key):\(payload48)",
            "plain text",
            "sealed:v1:é\(key):\(payload48)",
        ]
        var accepted = 0
        for text in texts {
            switch (SealedValue.parse(text), SealedValue.keyID(of: text)) {
            case (.success(let value), .success(let keyID)):
                #expect(value.keyID == keyID)
                #expect(value.payload.count == Base64.decodedCount(text.utf8.split(separator: UInt8(ascii: ":")).last!))
                #expect(value.text == text)
                accepted += 1
            case (.failure(let parsed), .failure(let checked)):
                #expect(parsed == checked, "\(text)")
            default:
                Issue.record("parse and keyID(of:) disagree on \(text)")
            }
        }
        #expect(accepted == 2)
    }

    /// Only the places the repository's platform seals hold sealed values:
    /// there, text that starts like one must be one; elsewhere it is the
    /// customer's text and reads as written.
    @Test func onlySealedPlacesMustHoldSoundSealedValues() {
        let record = TicketRecord(
            id: "T-1", agent: "desk", channel: .calls, conversation: "conv_1", createdAt: "2026-11-24T10:02:11Z",
            reason: "sealed:v1:nope", summary: "sealed:v1:0123456789abcdef:QUJD",
            customer: Customer(name: "sealed:v1:", email: nil, phone: nil), fields: [:], tags: [])
        let bytes = Array(TicketFile.text(record).utf8)
        let path = "tickets/2026/11/T-1.yaml"
        func sealedErrors(_ sealing: Sealing) -> [String] {
            TicketFile.read(bytes, path: path, sealing: sealing).1.filter { $0.rule == .ticketSealed }.map(\.message)
        }
        #expect(sealedErrors(.none).isEmpty)
        #expect(TicketFile.read(bytes, path: path, sealing: .none).0 == record)
        #expect(sealedErrors(Sealing([.summary])).map { $0.prefix(7) } == ["summary"])
        #expect(sealedErrors(Sealing([.customer])).map { $0.prefix(13) } == ["customer.name"])
        #expect(sealedErrors(Sealing([.reason, .customer])).count == 2)
        #expect(sealedErrors(.all).count == 3)
    }
}
