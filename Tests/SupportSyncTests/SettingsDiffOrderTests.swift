import Foundation
import Testing

@testable import SupportSync

struct SettingsDiffOrderTests {
    /// Foundation's numeric string compare, the order plans have always
    /// printed: top-level fields first, then by path with numbers by value.
    private func foundationOrder(_ a: String, _ b: String) -> Bool {
        let (nestedA, nestedB) = (a.contains("."), b.contains("."))
        if nestedA != nestedB { return !nestedA }
        return a.compare(b, options: .numeric) == .orderedAscending
    }

    @Test func listIndicesSortByValueAndTopLevelFieldsComeFirst() {
        let fields = [
            "support.escalate.destinations[10].number", "support.mode", "name",
            "support.escalate.destinations[2].number", "channels", "support.escalate.destinations[2].extension",
        ]
        let sorted = fields.map { (SettingsDiff.FieldOrder($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        #expect(
            sorted == [
                "channels", "name", "support.escalate.destinations[2].extension",
                "support.escalate.destinations[2].number", "support.escalate.destinations[10].number", "support.mode",
            ])
    }

    @Test func ordersGeneratedPathsAsFoundationsNumericCompareDoes() {
        var generator = SystemRandomNumberGenerator()
        let parts = ["support", "flag", "escalate", "destinations", "collect", "hours", "a", "b1", "z", "_x", "x-y"]
        var paths: Set<String> = []
        while paths.count < 2_000 {
            var path = parts.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                if Bool.random(using: &generator) {
                    path += "[\(Int.random(in: 0...120, using: &generator))]"
                }
                path += "." + parts.randomElement(using: &generator)!
            }
            paths.insert(path)
        }
        let ours = paths.map { (SettingsDiff.FieldOrder($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        #expect(ours == paths.sorted(by: foundationOrder))
    }
}
