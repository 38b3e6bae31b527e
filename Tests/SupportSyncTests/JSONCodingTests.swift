import Foundation
import Testing

@testable import SupportSync

/// What a JSON decoding failure is called: a few words, never the value.
@Suite struct JSONCodingTests {
    private func summary(_ text: String) -> String {
        let data = Data(text.utf8)
        do {
            _ = try JSONDecoder().decode([String: [String: Int]].self, from: data)
            return "read"
        } catch {
            return JSONCoding.summary(of: error, json: data)
        }
    }

    @Test func nestingDeeperThanTheReaderGoesIsSaid() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let said = summary("{\"a\": {\"b\": \(deep)}}")
        #expect(said.contains("nested more than 512 levels"), "\(said)")
    }

    @Test func brokenTextIsNotJSONWhateverItsBracketsInStrings() {
        // Brackets inside strings are text: this is broken, not deep.
        let brackets = String(repeating: "[", count: 600)
        #expect(summary("{\"a\": {\"b\": \"\(brackets)\", ") == "not JSON")
        #expect(summary("{\"a\": {\"b\": \"\\\"\(brackets)\"}") == "not JSON")
        #expect(JSONCoding.nestingDepth(of: Data("[{\"x\": \"[[\\\"[\"}, [[]]]".utf8)) == 3)
    }

    @Test func aTypeMismatchNamesWhereNotWhat() {
        let said = summary("{\"a\": {\"b\": \"secret text\"}}")
        #expect(said.contains("a.b") && !said.contains("secret"), "\(said)")
    }
}
