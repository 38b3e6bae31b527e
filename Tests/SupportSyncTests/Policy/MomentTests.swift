import Testing

@testable import SupportSync

/// Reading `--at` and a scenario's `at`: RFC 3339, local times in a zone,
/// and the times a daylight-saving change skips or repeats.
@Suite struct MomentTests {
    @Test(arguments: [
        ("2026-12-05T20:00", "Europe/Madrid", "2026-12-05T20:00:00+01:00"),
        ("2026-07-05T20:00", "Europe/Madrid", "2026-07-05T20:00:00+02:00"),
        ("2026-12-05T20:00:00+01:00", "Europe/Madrid", "2026-12-05T20:00:00+01:00"),
        ("2026-12-05T14:00-05:00", "Europe/Madrid", "2026-12-05T20:00:00+01:00"),
        ("2026-12-05T19:00Z", "Europe/Madrid", "2026-12-05T20:00:00+01:00"),
        ("2026-12-05T19:00:30z", "Europe/Madrid", "2026-12-05T20:00:30+01:00"),
        ("2026-03-08T03:30", "America/New_York", "2026-03-08T03:30:00-04:00"),
        ("2026-03-08T01:59", "America/New_York", "2026-03-08T01:59:00-05:00"),
        ("2026-12-05T20:00", "", "2026-12-05T20:00:00Z"),
        ("2028-02-29T00:00+14:00", "", "2028-02-28T10:00:00Z"),
        ("2026-12-07T20:00:00.250-05:00", "Europe/Madrid", "2026-12-08T02:00:00+01:00"),
        // Madrid's local mean time: the offset keeps its seconds, so clock and offset add up.
        ("1900-01-01T12:00", "Europe/Madrid", "1900-01-01T12:00:00-00:14:44"),
        ("1900-01-01T12:00Z", "Europe/Madrid", "1900-01-01T11:45:16-00:14:44"),
        // The edges of four-digit years, read on a clock on the other side.
        ("0000-01-01T00:00Z", "Europe/Madrid", "-0001-12-31T23:45:16-00:14:44"),
        ("9999-12-31T23:30-05:00", "", "+10000-01-01T04:30:00Z"),
    ])
    func reads(_ text: String, _ zone: String, _ expected: String) throws {
        let moment = try ZonedMoment.parse(text, zone: zone.isEmpty ? nil : zone).get()
        #expect(moment.rfc3339 == expected)
    }

    @Test func localMomentHasTheDateDayAndMinuteOfTheZone() throws {
        // 23:30 UTC on a Saturday is already Sunday in Madrid.
        let moment = try ZonedMoment.parse("2026-12-05T23:30Z", zone: "Europe/Madrid").get()
        #expect(moment.local == LocalMoment(date: "2026-12-06", weekday: .sun, minute: 30))
    }

    @Test(arguments: [
        ("2026-03-29T02:30", "Europe/Madrid", ["2026-03-29T02:30+01:00", "2026-03-29T02:30+02:00", "does not exist"]),
        ("2026-10-25T02:30", "Europe/Madrid", ["2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00", "happens twice"]),
        (
            "2026-03-08T02:15", "America/New_York",
            ["2026-03-08T02:15-05:00", "2026-03-08T02:15-04:00", "does not exist"]
        ),
        (
            "2026-11-01T01:30", "America/New_York",
            ["2026-11-01T01:30-04:00", "2026-11-01T01:30-05:00", "happens twice"]
        ),
    ])
    func daylightSavingChangesNameBothReadings(_ text: String, _ zone: String, _ words: [String]) {
        guard case .failure(let error) = ZonedMoment.parse(text, zone: zone) else {
            Issue.record("\(text) in \(zone) was accepted")
            return
        }
        for word in words { #expect(error.description.contains(word), "\(error)") }
        // Either reading, written with its offset, is accepted.
        for reading in words.prefix(2) {
            #expect((try? ZonedMoment.parse(reading, zone: zone).get()) != nil, "\(reading)")
        }
    }

    @Test(arguments: [
        "2026-12-05", "2026-12-05 20:00", "2026-13-05T20:00", "2026-02-30T10:00", "2026-12-05T24:00",
        "2026-12-05T20:60", "2026-12-05T20:00+1", "2026-12-05T20:00+01:00x", "2026-12-05T20:00:00.Z", "tomorrow", "",
    ])
    func refusesWhatIsNotATime(_ text: String) {
        guard case .failure(let error) = ZonedMoment.parse(text, zone: "Europe/Madrid") else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.description.contains("is not a time"))
    }
}

/// Zones: every place's IANA name the system knows, even one Foundation's
/// list lacks on Linux; fixed offsets and legacy rules refused, saying why.
@Suite struct TimeZoneNameTests {
    @Test(arguments: ["Asia/Kolkata", "Europe/Madrid", "America/Argentina/Buenos_Aires", "UTC", "Etc/UTC"])
    func placesAreAccepted(_ name: String) {
        #expect(TimeZones.isIANAName(name))
    }

    @Test(arguments: ["Etc/GMT+5", "EST5EDT", "EST", "posix/Europe/Madrid", "Asia/Nowhere", "Asia/", "GMT+5"])
    func othersAreRefused(_ name: String) {
        #expect(!TimeZones.isIANAName(name))
    }

    @Test func theMessageSaysWhyARealIANANameIsRefused() {
        #expect(TimeZones.fixedOffsetReason(for: "Etc/GMT+5")?.contains("fixed offset") == true)
        #expect(TimeZones.fixedOffsetReason(for: "EST5EDT")?.contains("legacy IANA name") == true)
        #expect(TimeZones.fixedOffsetReason(for: "Asia/Nowhere") == nil)
        #expect(TimeZones.fixedOffsetReason(for: "GMT")?.contains("Europe/London") == true)
    }

    /// The tz database's other names for UTC are one zone's other spellings:
    /// refused as such, pointing to UTC, never as a fixed offset UTC is too.
    @Test(arguments: ["UCT", "Universal", "Zulu", "Etc/UCT", "Etc/Universal", "Etc/Zulu"])
    func anotherNameForUTCPointsToUTC(_ name: String) {
        #expect(!TimeZones.isIANAName(name))
        #expect(
            TimeZones.fixedOffsetReason(for: name)
                == "'\(name)' is another name for UTC; write UTC (or Etc/UTC), the names accepted for it")
        #expect(TimeZones.suggestion(for: name) == "UTC")
    }

    @Test func aLocalTimeInKolkataReads() throws {
        let moment = try ZonedMoment.parse("2026-12-07T10:00", zone: "Asia/Kolkata").get()
        #expect(moment.rfc3339 == "2026-12-07T10:00:00+05:30")
    }
}
