import Foundation
import Testing

@testable import SupportSync

/// Documents carry their format version, and a member added afterwards
/// lands in its sorted place, still valid JSON.
@Suite struct JSONDocumentShapeTests {
    struct Sample: Encodable {
        var agents = ["a"]
        var zone = "Europe/Madrid"
        var nested = ["platform_instance": "x"]
    }

    @Test func renderAddsTheVersionAndListsGoUnderAKey() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(JSONDocument.render(Sample()).utf8)) as? [String: Any])
        #expect(object["format_version"] as? Int == 1 && object["zone"] as? String == "Europe/Madrid")
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(JSONDocument.render([1, 2], under: "items").utf8))
                as? [String: Any])
        #expect(list["items"] as? [Int] == [1, 2] && list["format_version"] as? Int == 1)
    }

    @Test(arguments: ["platform", "aaa", "zzz"])
    func addingKeepsKeysSortedAndTheDocumentValid(_ key: String) throws {
        let text = JSONDocument.adding(key, "local (\"p.sqlite\")\n", to: JSONDocument.render(Sample()))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object[key] as? String == "local (\"p.sqlite\")\n")
        #expect(object.count == 5)
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map {
            String($0.dropFirst(3).prefix { $0 != "\"" })
        }
        #expect(keys == keys.sorted(), "\(text)")
    }
}
