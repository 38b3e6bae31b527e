import Foundation

/// IANA time zone names ("Europe/Madrid"). Abbreviations ("EST") and fixed
/// offsets ("GMT+5") are refused: they do not follow daylight saving time.
enum TimeZones {
    static let names: Set<String> = {
        var names = Set(TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") })
        names.formUnion(["UTC", "Etc/UTC"])
        return names
    }()

    /// A place's zone: one Foundation lists, or one the system's time zone
    /// database holds under an `Area/Location` name Foundation's list lacks
    /// on Linux (`Asia/Kolkata`, the canonical name for India).
    static func isIANAName(_ text: String) -> Bool {
        if names.contains(text) { return true }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let areas: Set<Substring> = [
            "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific",
        ]
        guard parts.count >= 2, areas.contains(parts[0]), !parts.contains(where: \.isEmpty),
            text.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || "/_-+0123456789".unicodeScalars.contains($0))
            })
        else { return false }
        return TimeZone(identifier: text) != nil
    }

    /// Why a zone the IANA database does hold is still refused (SPEC 3.1:
    /// a zone must follow a place's daylight-saving changes); nil for a
    /// name that is not in the database at all.
    static func fixedOffsetReason(for text: String) -> String? {
        if text.hasPrefix("Etc/") && TimeZone(identifier: text) != nil {
            return "'\(text)' is an IANA name for a fixed offset, which never follows a place's daylight-saving changes"
        }
        if ["EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "EST", "MST", "HST", "WET", "CET", "MET", "EET"].contains(text)
        {
            return "'\(text)' is a legacy IANA name kept for old systems, not a place's zone"
        }
        return nil
    }

    /// A likely intended name: the same name in other case, or a close spelling.
    static func suggestion(for text: String) -> String? {
        if let sameLetters = names.first(where: { $0.lowercased() == text.lowercased() }) { return sameLetters }
        let offsetLike = text.uppercased().hasPrefix("GMT") || text.uppercased().hasPrefix("UTC")
        if offsetLike || (text.count <= 5 && text.uppercased() == text) { return nil }
        return Suggestion.closest(to: text, in: Array(names).sorted())
    }
}
