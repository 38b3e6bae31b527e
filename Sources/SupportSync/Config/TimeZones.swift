import Foundation

/// IANA time zone names ("Europe/Madrid"). Abbreviations ("EST") and fixed
/// offsets ("GMT+5") are refused: they do not follow daylight saving time.
///
/// The names are the tz database's own (`TimeZoneNames.swift`, written by
/// `script/update-time-zones`), the same on every system: every zone and
/// link that follows a place's clock (`Asia/Kolkata`, `Europe/Kyiv`, the
/// backward links such as `Asia/Calcutta` and `US/Eastern`), and UTC. Every
/// time computation opens the same names with Foundation's `TimeZone`
/// (`zone(named:)`), and a test opens each of them.
enum TimeZones {
    static let names: Set<String> = databaseNames

    /// A name of the list that this system's time zone data also opens
    /// (a zone newer than the system's data is refused, not read as UTC).
    static func isIANAName(_ text: String) -> Bool { names.contains(text) && TimeZone(identifier: text) != nil }

    /// The zone for a name `isIANAName` accepts.
    static func zone(named name: String) -> TimeZone? {
        names.contains(name) ? TimeZone(identifier: name) : nil
    }

    /// Why a zone the IANA database does hold is still refused (SPEC 3.1:
    /// a zone must follow a place's daylight-saving changes); nil for a
    /// name that is not in the database at all.
    static func fixedOffsetReason(for text: String) -> String? {
        if utcAliases.contains(text) {
            return "'\(text)' is another name for UTC; write UTC (or Etc/UTC), the names accepted for it"
        }
        if [
            "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
            "Etc/Greenwich",
        ]
        .contains(text) {
            return
                "'\(text)' is an IANA name for a fixed offset, UTC+0, which never follows a place's daylight-saving changes (the United Kingdom's clock is Europe/London; no local time at all is UTC)"
        }
        if etcOffsets.contains(text) {
            return "'\(text)' is an IANA name for a fixed offset, which never follows a place's daylight-saving changes"
        }
        if ["EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "EST", "MST", "HST", "WET", "CET", "MET", "EET"].contains(text)
        {
            return "'\(text)' is a legacy IANA name kept for old systems, not a place's zone"
        }
        return nil
    }

    /// The tz database's fixed offsets other than UTC+0: `Etc/GMT+1` to
    /// `Etc/GMT+12` and `Etc/GMT-1` to `Etc/GMT-14` (the sign inverted, as
    /// POSIX has it).
    static let etcOffsets = Set((1...12).map { "Etc/GMT+\($0)" } + (1...14).map { "Etc/GMT-\($0)" })

    /// The tz database's other names for UTC (links to `Etc/UTC`): refused
    /// for one spelling of one zone, `UTC` (or `Etc/UTC`).
    static let utcAliases: Set<String> = ["Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"]

    /// A likely intended name: the same name in other case, or a close spelling.
    static func suggestion(for text: String) -> String? {
        if utcAliases.contains(where: { $0.lowercased() == text.lowercased() }) { return "UTC" }
        if let sameLetters = names.first(where: { $0.lowercased() == text.lowercased() }) { return sameLetters }
        let offsetLike = text.uppercased().hasPrefix("GMT") || text.uppercased().hasPrefix("UTC")
        if offsetLike || (text.count <= 5 && text.uppercased() == text) { return nil }
        return Suggestion.closest(to: text, in: Array(names).sorted())
    }
}
