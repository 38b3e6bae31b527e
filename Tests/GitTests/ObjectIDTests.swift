import Git
import Testing

struct ObjectIDTests {
    @Test func hexRoundTripsAndPrintsLowerCase() throws {
        let id = try #require(ObjectID(hex: "0123456789ABCDEFfedcba9876543210deadBEEF"))
        #expect(id.hex == "0123456789abcdeffedcba9876543210deadbeef")
        #expect(id.description == id.hex)
        #expect(ObjectID(hex: id.hex) == id)
        #expect(id.bytes.count == 20)
        #expect(id.bytes.first == 0x01 && id.bytes.last == 0xef)
        #expect(ObjectID(bytes: id.bytes) == id)
    }

    @Test(
        "refuses anything but 40 hex digits",
        arguments: [
            ("empty", ""),
            ("abbreviated", "0123456"),
            ("41 digits", String(repeating: "a", count: 41)),
            ("39 digits", String(repeating: "a", count: 39)),
            ("not hex", "g" + String(repeating: "0", count: 39)),
            ("space", " " + String(repeating: "0", count: 39)),
            ("multi-byte", "é" + String(repeating: "0", count: 38)),
        ])
    func refusesMalformedHex(_ label: String, _ text: String) {
        #expect(ObjectID(hex: text) == nil, "\(label)")
    }

    @Test func refusesWrongByteCount() {
        #expect(ObjectID(bytes: []) == nil)
        #expect(ObjectID(bytes: [UInt8](repeating: 1, count: 19)) == nil)
        #expect(ObjectID(bytes: [UInt8](repeating: 1, count: 21)) == nil)
    }

    @Test func ordersLikeItsHex() throws {
        let hexes = [
            "ff00000000000000000000000000000000000000",
            "0000000000000000000000000000000000000001",
            "00000000000000000000000000000000000000ff",
            "0000000000000000ff0000000000000000000000",
            "0000000000000000000000000000000001000000",
        ]
        let ids = try hexes.map { try #require(ObjectID(hex: $0)) }
        #expect(ids.sorted().map(\.hex) == hexes.sorted())
        #expect(Set(ids).count == hexes.count)
    }
}
