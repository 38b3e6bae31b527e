import Foundation
import Testing

@testable import SupportSync

/// Text a platform chose (agent ids it holds) is data in every report: no
/// line break, escape sequence or backtick of its making reaches a
/// terminal, a CI log or the pull-request comment as such.
@Suite struct PlatformTextTests {
    static let hostile = "legacy\n::error file=config/agents/a.yaml,line=1::forged\u{1B}[2K`x"

    @Test func planReportsEscapeTheIdsOfAgentsNotManaged() {
        let plan = Plan(agents: [], unmanaged: [Self.hostile, "plain"], platformInstance: "i-1")
        for report in [PlanFormatter.text(plan), PlanFormatter.markdown(plan)] {
            #expect(!report.contains("\n::error"), "\(report)")
            #expect(!report.contains("\u{1B}"), "\(report)")
            #expect(report.contains(#"legacy\n::error"#), "\(report)")
        }
        let markdown = PlanFormatter.markdown(plan)
        let line = markdown.split(separator: "\n").first { $0.hasPrefix("Not managed") } ?? ""
        #expect(line.filter { $0 == "`" }.count == 2 * 3, "each id one code span: \(line)")
    }

    /// Agents a platform holds outside config/ (a dashboard's hundreds) are
    /// named up to 20, then counted, as every report names ids.
    @Test func agentsNotManagedAreNamedUpToTwenty() {
        let plan = Plan(agents: [], unmanaged: (1...100).map { "bulk-\($0)" }, platformInstance: "i-1")
        for report in [PlanFormatter.text(plan), PlanFormatter.markdown(plan)] {
            let line = report.split(separator: "\n").first { $0.hasPrefix("Not managed") } ?? ""
            #expect(line.contains("bulk-20") && !line.contains("bulk-21"), "\(line)")
            #expect(line.hasSuffix("and 80 more"), "\(line)")
        }
    }
}
