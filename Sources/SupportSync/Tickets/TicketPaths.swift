/// Where ticket files live: `tickets/<YYYY>/<MM>/<id>.yaml`, by `created_at`
/// in UTC. Ids and timestamps come from the platform, so both are checked
/// before any path is built from them: nothing built here can name a file
/// outside `tickets/`.
public enum TicketPaths {
    /// The folder holding every ticket, relative to the repository root.
    public static let folder = "tickets"

    /// Whether `name`, a folder at the repository's root, is `tickets` in
    /// some case, as a case-insensitive file system folds names into one:
    /// `Tickets`, `TICKETS`, and with a letter that folds to an ASCII one
    /// (the long s, `ſ`, which APFS folds to `s`; the dotless i, `ı`, which
    /// NTFS upper-cases to `I`; the Kelvin sign, which lower-cases to `k`).
    public static func isFolder(inAnyCase name: some StringProtocol) -> Bool {
        name.lowercased().unicodeScalars.map { $0 == "\u{17F}" ? "s" : $0 == "\u{131}" ? "i" : $0 }
            .elementsEqual(folder.unicodeScalars)
    }
    /// A ticket id, as SPEC 4 gives it (also the JSON Schema form).
    public static let idPattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
    public static let idMaxLength = 64

    /// Whether `id` matches `idPattern`. Checked byte by byte on the UTF-8
    /// form, so no Unicode look-alike, separator, dot or NUL gets through.
    public static func isSafeID(_ id: String) -> Bool { isSafeID(id.utf8) }

    private static func isSafeID(_ bytes: some Collection<UInt8>) -> Bool {
        guard (1...idMaxLength).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else {
            return false
        }
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
        if ticketFile(path) != nil { return .ticket }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 1, isFolder(inAnyCase: parts[0]) else { return .outside }
        let name = parts[parts.count - 1]
        if name == ".gitkeep" { return .keep }
        let lower = name.lowercased()
        guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else { return .stray }
        return .misplacedTicket
    }

    /// `tickets/2026/11/T-1.yaml` -> (202611, "T-1"): the folder (as
    /// `YYYY * 100 + MM`) and id of a ticket file, the one form of
    /// `Kind.ticket`; nil for any other path. Read byte by byte, since a
    /// pull or an audit asks this of every ticket file.
    public static func ticketFile(_ path: String) -> (folder: UInt32, id: Substring)? {
        let bytes = path.utf8
        let prefix = "tickets/".utf8
        let layout = "0000/00/".utf8  // a digit, or the slash itself
        let suffix = ".yaml".utf8
        guard bytes.count > prefix.count + layout.count + suffix.count, bytes.starts(with: prefix) else { return nil }
        var index = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        var folder: UInt32 = 0
        for expected in layout {
            let byte = bytes[index]
            if expected == UInt8(ascii: "/") {
                guard byte == expected else { return nil }
            } else {
                guard (0x30...0x39).contains(byte) else { return nil }
                folder = folder * 10 + UInt32(byte - 0x30)
            }
            index = bytes.index(after: index)
        }
        let end = bytes.index(bytes.endIndex, offsetBy: -suffix.count)
        // Checked as bytes first: once they are a safe id (ASCII), the
        // indexes are the id's first and last character's bounds.
        guard bytes[end...].elementsEqual(suffix), isSafeID(bytes[index..<end]) else { return nil }
        return (folder, path[index..<end])
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
