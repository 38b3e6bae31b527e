import Foundation
import Testing

@testable import SupportSync

/// The zones `validate` accepts are the tz database's, the same on every
/// system, and every time computation can open each of them.
@Suite struct TimeZoneNamesTests {
    @Test func everyAcceptedNameOpensWithTheZoneSourceTimeComputationsUse() {
        var failures: [String] = []
        for name in TimeZones.names.sorted() {
            guard let zone = TimeZones.zone(named: name) else {
                failures.append(name)
                continue
            }
            // A real rule: some offset at some moment, within a day of UTC.
            if abs(zone.secondsFromGMT(for: Date(timeIntervalSince1970: 1_790_000_000))) > 14 * 3600 {
                failures.append("\(name): offset")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(TimeZones.names.count > 500)
    }

    @Test(arguments: [
        "Asia/Kolkata", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "Asia/Calcutta", "Europe/Kiev", "US/Eastern",
        "UTC", "Etc/UTC", "America/Ciudad_Juarez", "Pacific/Kanton",
    ])
    func accepted(_ name: String) {
        #expect(TimeZones.isIANAName(name))
    }

    @Test(arguments: [
        "EST", "EST5EDT", "CET", "GMT", "Etc/GMT+5", "GMT+5", "UTC+1", "Zulu", "Factory", "Europe/Atlantis",
    ])
    func refused(_ name: String) {
        #expect(!TimeZones.isIANAName(name))
    }

    @Test func refusalsSayWhy() {
        #expect(TimeZones.fixedOffsetReason(for: "Etc/GMT+5")?.contains("fixed offset") == true)
        #expect(TimeZones.fixedOffsetReason(for: "EST5EDT")?.contains("legacy") == true)
        #expect(TimeZones.fixedOffsetReason(for: "Europe/Atlantis") == nil)
        // Every fixed offset the database has, and no other name under Etc/.
        for offset in (1...12).map({ "Etc/GMT+\($0)" }) + (1...14).map({ "Etc/GMT-\($0)" }) {
            #expect(TimeZones.fixedOffsetReason(for: offset)?.contains("fixed offset") == true, "\(offset)")
        }
        for unknown in ["Etc/Foo", "Etc/UTC0", "Etc/GMT+13", "Etc/GMT-15", "Etc/GMT+05"] {
            #expect(TimeZones.fixedOffsetReason(for: unknown) == nil, "\(unknown)")
        }
    }

    /// Kolkata is UTC+05:30 all year: the zone computations really use it.
    @Test func momentsInAZoneFoundationDoesNotListStillWork() throws {
        let moment = try ZonedMoment.parse("2026-06-01T09:00", zone: "Asia/Kolkata").get()
        #expect(moment.offset == 5 * 3600 + 1800)
    }
}
