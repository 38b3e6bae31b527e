import Foundation

/// IANA time zone names ("Europe/Madrid"). Abbreviations ("EST") and fixed
/// offsets ("GMT+5") are refused: they do not follow daylight saving time.
enum TimeZones {
    static let names: Set<String> = {
        var names = Set(TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") && !$0.hasPrefix("Etc/") })
        names.formUnion(["UTC", "Etc/UTC"])
        return names
    }()

    static func isIANAName(_ text: String) -> Bool { names.contains(text) }

    /// A likely intended name: the same name in other case, or a close spelling.
    static func suggestion(for text: String) -> String? {
        if let sameLetters = names.first(where: { $0.lowercased() == text.lowercased() }) { return sameLetters }
        let offsetLike = text.uppercased().hasPrefix("GMT") || text.uppercased().hasPrefix("UTC")
        if offsetLike || (text.count <= 5 && text.uppercased() == text) { return nil }
        return Suggestion.closest(to: text, in: Array(names).sorted())
    }
}
