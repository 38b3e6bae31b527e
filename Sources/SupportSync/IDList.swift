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
