import Foundation
import TestSupport
import Testing

@testable import SupportSync

/// Ids and times come from the platform: no value of either may build a
/// path outside `tickets/`.
@Suite struct TicketPathsTests {
    static let hostileIDs: [String] = [
        "", ".", "..", "../x", "../../etc/passwd", "/abs", "/", "a/b", "a\\b", "a\0b", "\0", "T-1\0.yaml", "x/../../y",
        "-lead", "_lead", "a b", " a", "a\n", "a\r\nb", "a.yaml", "a:b", "é", "ｔ", "a\u{301}", "Т-1", "a\u{200B}",
        "%2e%2e", "~", "$HOME", "*", "a?", String(repeating: "a", count: 65), String(repeating: "b", count: 1000),
    ]

    static let safeIDs: [String] = ["T-8F3A2C91", "a", "0", "A_b-9", "t_", "T--", String(repeating: "a", count: 64)]

    @Test("hostile ids are not safe and give no path", arguments: hostileIDs)
    func hostileID(_ id: String) {
        #expect(!TicketPaths.isSafeID(id))
        #expect(TicketPaths.path(for: id, createdAt: "2026-11-24T10:02:11Z") == nil)
    }

    @Test("safe ids give tickets/YYYY/MM/<id>.yaml", arguments: safeIDs)
    func safeID(_ id: String) {
        #expect(TicketPaths.isSafeID(id))
        #expect(TicketPaths.path(for: id, createdAt: "2026-11-24T10:02:11Z") == "tickets/2026/11/\(id).yaml")
    }

    static let badTimes: [String] = [
        "", "2026-11-24", "2026-11-24T10:02:11", "2026-11-24T10:02:11+00:00", "2026-11-24T10:02:11+01:00",
        "2026-11-24 10:02:11Z", "2026-11-24t10:02:11z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-00T00:00:00Z",
        "2026-11-24T24:00:00Z", "2026-11-24T10:60:00Z", "2026-12-31T23:59:60Z",
        "2026-11-24T10:02:11.Z", "2026-11-24T10:02:11.1234567890Z", "2026-11-24T10:02:11,5Z", "+2026-11-24T10:02:11Z",
        "20261-11-24T10:02:11Z", "2026-1-24T10:02:11Z", "../2026-11-24T10:02:11Z", "2026-11-24T10:02:11Z/../..",
        "2026/11-24T10:02:11Z", "２０２６-11-24T10:02:11Z", "2026-11-24T10:02:11Z\0", "2026-11-24T10:02:1aZ",
    ]

    @Test("times that are not created_at give no path", arguments: badTimes)
    func badTime(_ createdAt: String) {
        #expect(TicketTimestamp(createdAt) == nil)
        #expect(TicketPaths.path(for: "T-1", createdAt: createdAt) == nil)
    }

    @Test(
        "the folder is the UTC year and month of created_at",
        arguments: [
            ("2026-11-24T10:02:11Z", "tickets/2026/11/T-1.yaml"), ("2024-02-29T23:59:59Z", "tickets/2024/02/T-1.yaml"),
            ("2000-02-29T00:00:00Z", "tickets/2000/02/T-1.yaml"), ("0001-01-01T00:00:00Z", "tickets/0001/01/T-1.yaml"),
            ("2026-12-31T23:59:59.999Z", "tickets/2026/12/T-1.yaml"),
        ])
    func folder(_ createdAt: String, _ path: String) {
        #expect(TicketPaths.path(for: "T-1", createdAt: createdAt) == path)
    }

    /// Every combination: a path is either nil or four plain components
    /// under `tickets/`, with nothing that could climb out.
    @Test func noCombinationEscapesTickets() {
        for id in Self.hostileIDs + Self.safeIDs {
            for createdAt in Self.badTimes + ["2026-11-24T10:02:11Z", "9999-12-31T23:59:59Z"] {
                guard let path = TicketPaths.path(for: id, createdAt: createdAt) else { continue }
                let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                #expect(parts.count == 4 && parts[0] == "tickets", "\(path)")
                #expect(!parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }, "\(path)")
                #expect(!path.utf8.contains(0) && !path.contains("\\"), "\(path)")
                #expect(path.utf8.allSatisfy { $0 < 0x80 }, "\(path)")
            }
        }
    }

    @Test func pathOfARecord() {
        #expect(TicketPaths.path(for: TicketSamples.record) == TicketSamples.path)
        var record = TicketSamples.record
        record.id = "../x"
        #expect(TicketPaths.path(for: record) == nil)
    }
}

extension TicketPathsTests {
    /// A commit's date prints as Foundation's ISO 8601 style prints it, to
    /// the second, from 1970 to 2400, leap days and year ends included; a
    /// date no calendar year of four digits holds (a commit may claim any)
    /// prints too, never traps.
    @Test func aDateIsWrittenAsISO8601Writes() {
        var seconds: Int64 = 0
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var dates = [0, 951_782_400, 951_868_799, 1_709_164_800, 1_735_689_599, 4_107_542_399].map(Int64.init)
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds = Int64(state >> 33) % 13_569_465_600  // to the year 2400
            dates.append(seconds)
        }
        for seconds in dates {
            let date = Date(timeIntervalSince1970: Double(seconds) + 0.75)
            let text = TicketTimestamp.text(date)
            #expect(text == date.formatted(.iso8601), "\(seconds)")
            #expect(TicketTimestamp(text).map { $0.secondsSince1970 } == seconds)
        }
        for extreme in [9.3e18, -9.3e18, 1e300, -62_135_596_801, 253_402_300_800] {
            let date = Date(timeIntervalSince1970: extreme)
            #expect(TicketTimestamp.text(date) == date.formatted(.iso8601))
        }
    }
}
