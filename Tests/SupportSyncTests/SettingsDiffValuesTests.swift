import Foundation
import TestSupport
import Testing
import YAML

@testable import SupportSync

/// A diff flattens settings through `YAMLValue(encoding:)`, which must
/// read as the JSON round trip it replaced did.
struct SettingsDiffValuesTests {
    @Test func everyExampleAgentFlattensAsItsJSONRoundTripDoes() throws {
        let example = try ExampleRepository()
        let agents = try ConfigValidator(root: example.root).validate().agents
        #expect(Set(agents.map(\.support.mode)).count == 4, "one agent per mode")
        for agent in agents {
            let json = try JSONDecoder().decode(YAMLValue.self, from: JSONCoding.encoder().encode(agent))
            #expect(try YAMLValue(encoding: agent) == json, "\(agent.id)")
            let fields = SettingsDiff.values(agent)
            #expect(fields["support.mode"] == .string(agent.support.mode.rawValue), "\(agent.id): \(fields)")
        }
    }
}
