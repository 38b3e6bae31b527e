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

    /// `ticketFile` reads paths byte by byte; here it is held to the
    /// definition by parts (split on `/`, digits, `.yaml`, a safe id) over
    /// every combination of near misses: letter-like digits, a character
    /// that joins the `.` of `.yaml` to the name, extensions in other cases.
    @Test func aTicketFileIsExactlyTicketsYearMonthSafeIDDotYAML() {
        func byParts(_ path: String) -> (UInt32, String)? {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            let isDigits = { (part: Substring, count: Int) in
                part.utf8.count == count && part.utf8.allSatisfy { (0x30...0x39).contains($0) }
            }
            guard parts.count == 4, parts[0] == "tickets", isDigits(parts[1], 4), isDigits(parts[2], 2),
                parts[3].hasSuffix(".yaml"), TicketPaths.isSafeID(String(parts[3].dropLast(5)))
            else { return nil }
            return (UInt32(parts[1])! * 100 + UInt32(parts[2])!, String(parts[3].dropLast(5)))
        }
        let roots = ["tickets", "Tickets", "ticket", "tickets/x", ""]
        let years = ["2026", "0000", "202", "20266", "\u{0662}\u{0660}\u{0662}\u{0666}", "2O26", "2026 "]
        let months = ["11", "01", "1", "\u{0661}\u{0661}", "1/1"]
        let ids = [
            "T-1", "a", "-x", "ab\u{0600}", "\u{0600}", "é", "x y", "T-1.yaml", String(repeating: "a", count: 64),
            String(repeating: "a", count: 65), "",
        ]
        let extensions = [".yaml", ".yml", ".YAML", ".yaml\u{301}", "", ".yaml/"]
        var tickets = 0
        for root in roots {
            for year in years {
                for month in months {
                    for id in ids {
                        for ext in extensions {
                            let path = "\(root)/\(year)/\(month)/\(id)\(ext)"
                            let expected = byParts(path)
                            let found = TicketPaths.ticketFile(path)
                            #expect(
                                found?.folder == expected?.0 && found.map { String($0.id) } == expected?.1, "\(path)")
                            #expect((TicketPaths.kind(ofPath: path) == .ticket) == (expected != nil), "\(path)")
                            if expected != nil { tickets += 1 }
                        }
                    }
                }
            }
        }
        // 2 years, 2 months, and 3 safe ids with `.yaml`, or `T-1.yaml` with none.
        #expect(tickets == 2 * 2 * 4)
        #expect(
            TicketPaths.ticketFile("tickets/2026/11/T-8F3A2C91.yaml").map { [String($0.folder), String($0.id)] } == [
                "202611", "T-8F3A2C91",
            ])
        // A name whose last character takes in the `.` is no ticket (not the
        // ticket `ab`), nor a YAML file: audit reports it as a stray file.
        #expect(TicketPaths.kind(ofPath: "tickets/2026/11/ab\u{0600}.yaml") == .stray)
        #expect(TicketPaths.kind(ofPath: "tickets/2026/11/T-1.yaml\u{301}") == .stray)
        #expect(TicketPaths.kind(ofPath: "tickets/.gitkeep") == .keep)
        #expect(TicketPaths.kind(ofPath: "docs/2026/11/T-1.yaml") == .outside)
    }

    /// Every name a case-insensitive file system (APFS folds case, NTFS
    /// upper-cases) puts in tickets/ is tickets/ in another case; a name
    /// that only looks like it is not.
    @Test func theTicketsFolderInAnyCaseIsWhatAFileSystemFoldsIntoIt() {
        for name in [
            "tickets", "Tickets", "TICKETS", "ticket\u{17F}", "t\u{131}ckets", "tic\u{212A}ets", "TICKET\u{17F}",
        ] {
            #expect(TicketPaths.isFolder(inAnyCase: name), "\(name)")
            #expect(TicketPaths.kind(ofPath: name + "/2026/01/T-1.yml") == .misplacedTicket, "\(name)")
        }
        for name in ["ticket", "tickets2", "tickets ", "ticke\u{0442}s", "t\u{0131}\u{0307}ckets", "tickets\u{301}"] {
            #expect(!TicketPaths.isFolder(inAnyCase: name), "\(name)")
            #expect(TicketPaths.kind(ofPath: name + "/2026/01/T-1.yml") == .outside, "\(name)")
        }
    }
}
