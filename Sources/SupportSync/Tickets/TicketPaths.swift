/// Where ticket files live: `tickets/<YYYY>/<MM>/<id>.yaml`, by `created_at`
/// in UTC. Ids and timestamps come from the platform, so both are checked
/// before any path is built from them: nothing built here can name a file
/// outside `tickets/`.
public enum TicketPaths {
    /// The folder holding every ticket, relative to the repository root.
    public static let folder = "tickets"
    /// A ticket id, as SPEC 4 gives it (also the JSON Schema form).
    public static let idPattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
    public static let idMaxLength = 64

    /// Whether `id` matches `idPattern`. Checked byte by byte on the UTF-8
    /// form, so no Unicode look-alike, separator, dot or NUL gets through.
    public static func isSafeID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (1...idMaxLength).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// `tickets/2026/11/T-8F3A2C91.yaml`, or nil when the id is not safe or
    /// `createdAt` is not a valid `created_at` (see `TicketTimestamp`).
    public static func path(for id: String, createdAt: String) -> String? {
        guard isSafeID(id), let time = TicketTimestamp(createdAt) else { return nil }
        return folder + "/" + time.folder + "/" + id + ".yaml"
    }

    /// The path of a record's file, or nil when its id or `created_at` is unusable.
    public static func path(for record: TicketRecord) -> String? {
        path(for: record.id, createdAt: record.createdAt)
    }

    /// Why a safe id still cannot be a file name everywhere a team checks
    /// the repository out: a Windows device name (`CON`, `nul`, `COM1`),
    /// which Windows will not create in any case or with any extension.
    public static func reservedNameReason(_ id: String) -> String? {
        let upper = id.uppercased()
        let devices: Set<String> = ["CON", "PRN", "AUX", "NUL"]
        let numbered = (upper.hasPrefix("COM") || upper.hasPrefix("LPT")) && upper.count == 4 && upper.last!.isNumber
        guard devices.contains(upper) || numbered else { return nil }
        return "'\(id)' is a reserved device name on Windows, where its file cannot be checked out"
    }

    /// The id a ticket file at `path` is named for (`tickets/2026/11/T-1.yaml` -> `T-1`).
    public static func id(ofPath path: String) -> Substring {
        let name = path[(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex)...]
        return name.hasSuffix(".yaml") ? name.dropLast(5) : name
    }

    /// What a path under any case of `tickets/` is, for audit.
    public enum Kind: Sendable, Hashable {
        /// `tickets/<YYYY>/<MM>/<id>.yaml`.
        case ticket
        /// A `.gitkeep` anywhere under tickets/.
        case keep
        /// A YAML file (`.yaml`, `.yml`, any case) anywhere else under any
        /// case of tickets/: a ticket nobody would read.
        case misplacedTicket
        /// Any other file under any case of tickets/ (the cursor aside).
        case stray
        /// Not under tickets/ in any case.
        case outside
    }

    /// The kind of the file at `path` (the pull cursor is the caller's to tell).
    public static func kind(ofPath path: String) -> Kind {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 1, parts[0].lowercased() == folder else { return .outside }
        let name = parts[parts.count - 1]
        if name == ".gitkeep" { return .keep }
        let lower = name.lowercased()
        guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else { return .stray }
        let isDigits = { (part: Substring, count: Int) in
            part.utf8.count == count && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
        }
        if parts.count == 4, parts[0] == folder, isDigits(parts[1], 4), isDigits(parts[2], 2), name.hasSuffix(".yaml"),
            isSafeID(String(name.dropLast(5)))
        {
            return .ticket
        }
        return .misplacedTicket
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
