/// Lists of ids in reports people read: at most `limit` of them, then
/// "and N more". JSON reports keep every id.
public enum IDList {
    public static let limit = 20

    /// `a, b, c` or `a, b, … and 1980 more`.
    public static func capped(_ ids: [String], separator: String = ", ", limit: Int = limit) -> String {
        guard ids.count > limit else { return ids.joined(separator: separator) }
        let rest = ids.count - limit
        return ids.prefix(limit).joined(separator: separator) + "\(separator)and \(rest) more"
    }

    /// The ids grouped by what is said of them, in first-seen order: one
    /// line a reason, as a run the platform stopped leaves many items
    /// undone for one reason.
    public static func grouped<Reason: Hashable>(_ items: [(id: String, reason: Reason)]) -> [(
        ids: [String], reason: Reason
    )] {
        var reasons: [Reason] = []
        var ids: [Reason: [String]] = [:]
        for (id, reason) in items {
            if ids[reason] == nil { reasons.append(reason) }
            ids[reason, default: []].append(id)
        }
        return reasons.map { (ids[$0] ?? [], $0) }
    }
}

/// `1 conflict`, `2 conflicts`: a count with its noun, in the right number.
public func plural(_ count: Int, _ word: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? word : plural ?? word + "s")"
}
