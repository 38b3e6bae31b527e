import Foundation
import Testing
import YAML

/// `YAMLValue(encoding:)` builds what the JSON round trip it replaces
/// (`JSONEncoder`, then `YAMLValue`'s `Decodable`) reads back.
struct EncodingTests {
    enum Mode: String, Codable { case flag, escalate }

    struct Destination: Codable {
        var number: String
        var extensionNumber: String?
        var seconds: Int64
    }

    struct Empty: Codable {}

    struct Sample: Encodable {
        var name: String
        var mode: Mode
        var enabled: Bool
        var retries: UInt8
        var ratio: Double
        var skipped: String?
        var destinations: [Destination]
        var tags: [String]
        var nested: [[Int]]
        var table: [String: Destination]
        var empty: Empty
        var nothing: [Int]

        enum CodingKeys: String, CodingKey {
            case name, mode, enabled, retries, ratio, skipped, destinations, tags, nested, table, empty, nothing
            case explicitNull = "explicit_null"
        }

        init(name: String, skipped: String?) {
            self.name = name
            mode = .escalate
            enabled = true
            retries = 3
            ratio = 2
            self.skipped = skipped
            destinations = [
                Destination(number: "+34600000000", extensionNumber: nil, seconds: 20),
                Destination(number: "+34600000001", extensionNumber: "12", seconds: -1),
            ]
            tags = ["billing", ""]
            nested = [[], [1, 2]]
            table = ["b": Destination(number: "2", seconds: 0), "a": Destination(number: "1", seconds: 1)]
            empty = Empty()
            nothing = []
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(mode, forKey: .mode)
            try container.encode(enabled, forKey: .enabled)
            try container.encode(retries, forKey: .retries)
            try container.encode(ratio, forKey: .ratio)
            try container.encodeIfPresent(skipped, forKey: .skipped)
            try container.encodeNil(forKey: .explicitNull)
            try container.encode(destinations, forKey: .destinations)
            try container.encode(tags, forKey: .tags)
            try container.encode(nested, forKey: .nested)
            try container.encode(table, forKey: .table)
            try container.encode(empty, forKey: .empty)
            try container.encode(nothing, forKey: .nothing)
        }
    }

    private func roundTrip(_ value: some Encodable) throws -> YAMLValue {
        try JSONDecoder().decode(YAMLValue.self, from: JSONEncoder().encode(value))
    }

    @Test(arguments: [nil, "here", "multi\nline \"quoted\" ✓"])
    func buildsWhatTheJSONRoundTripReadsBack(skipped: String?) throws {
        let sample = Sample(name: "Desk \u{1B}[31m", skipped: skipped)
        let built = try YAMLValue(encoding: sample)
        #expect(built == (try roundTrip(sample)))
        // Not vacuous: the tree holds what was encoded.
        guard case .map(let members) = built else {
            Issue.record("not a map: \(built)")
            return
        }
        #expect(members.map(\.0) == members.map(\.0).sorted())
        #expect(members.contains { $0.0 == "skipped" } == (skipped != nil))
        #expect(members.first { $0.0 == "explicit_null" }?.1 == .null)
    }

    @Test func scalarsAtTheTopAndOptionalsInLists() throws {
        let values: [any Encodable] = [
            "text", 42, true, Optional<Int>.none, [Optional(1), nil], Int64.max, 3.0, ["k": [true]],
        ]
        for value in values {
            #expect(try YAMLValue(encoding: value) == (try roundTrip(value)), "\(value)")
        }
    }

    /// Asks twice for a nested container under one key, and writes into both.
    struct TwiceNested: Encodable {
        enum Keys: String, CodingKey { case inner, list, a, b }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var first = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try first.encode(1, forKey: .a)
            var second = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
            try second.encode(2, forKey: .b)
            var items = container.nestedUnkeyedContainer(forKey: .list)
            try items.encode("x")
            var more = container.nestedUnkeyedContainer(forKey: .list)
            try more.encode("y")
        }
    }

    struct EncodesNothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func nestedContainersAskedForTwiceAreOne() throws {
        let built = try YAMLValue(encoding: TwiceNested())
        #expect(built == (try roundTrip(TwiceNested())))
        #expect(built == .map([("inner", .map([("a", 1), ("b", 2)])), ("list", ["x", "y"])]))
    }

    @Test func whatTheRoundTripCannotReadBackThrows() throws {
        #expect(throws: (any Error).self) { try roundTrip([1.5]) }
        #expect(throws: EncodingError.self) { try YAMLValue(encoding: [1.5]) }
        #expect(throws: EncodingError.self) { try YAMLValue(encoding: UInt64.max) }
        // 2^60 is written as 1.152921504606847e+18 and read back as another number.
        #expect(throws: EncodingError.self) { try YAMLValue(encoding: [0x1p60]) }
        #expect(try YAMLValue(encoding: [0x1p52]) == .list([.int(1 << 52)]))
        #expect(throws: (any Error).self) { try roundTrip(EncodesNothing()) }
        #expect(throws: EncodingError.self) { try YAMLValue(encoding: EncodesNothing()) }
        #expect(try YAMLValue(encoding: [EncodesNothing()]) == (try roundTrip([EncodesNothing()])))
    }
}
