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
}

/// `1 conflict`, `2 conflicts`: a count with its noun, in the right number.
public func plural(_ count: Int, _ word: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? word : plural ?? word + "s")"
}
