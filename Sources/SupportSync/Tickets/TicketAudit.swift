import YAML

/// The checks `audit` makes on one ticket path changed by one commit
/// (SPEC 7): the new file reads and validates, sits where its id and
/// created_at say, was not deleted, kept its platform-owned fields, moved its
/// status along the lifecycle. Pure: the caller reads the commits.
///
/// Every problem is located in the new file, so the caller passes its bytes.
public enum TicketAudit {
    /// A commit with one parent. `old` is the ticket at `path` before the
    /// commit (nil when the commit added it); `new` the file's bytes after
    /// (nil when the commit deleted it).
    public static func check(path: String, old: TicketRecord?, new: [UInt8]?, sealing: Sealing = .all)
        -> [Diagnostic]
    {
        check(path: path, parents: old.map { [$0] } ?? [], new: new, sealing: sealing)
    }

    /// Any commit, merges included. `parents` holds the ticket at `path` in
    /// each parent that had it (empty when the commit added it). A value is
    /// accepted when it equals one of the parents' values: a merge may take
    /// either side. A status that equals no parent's must be a move the
    /// lifecycle allows from at least one of them.
    ///
    /// `sealing`: the places the repository's platform seals (`TicketFile.read`).
    public static func check(path: String, parents: [TicketRecord], new: [UInt8]?, sealing: Sealing = .all)
        -> [Diagnostic]
    {
        guard let new else {
            guard let old = parents.first else { return [] }
            return [
                Diagnostic(
                    .ticketDeleted, at: SourceLocation(file: path, line: 1, column: 1),
                    "ticket '\(old.id)' was deleted; ticket files are never deleted",
                    hint: "restore the file; close the ticket instead (status: closed with a resolution)")
            ]
        }
        return check(parents: parents, new: TicketFile.parse(new, path: path, sealing: sealing))
    }

    /// As above, for a new file already parsed.
    public static func check(parents: [TicketRecord], new file: TicketFile.Parsed) -> [Diagnostic] {
        var diagnostics = file.diagnostics
        if parents.isEmpty, let diagnostic = checkFolder(file) { diagnostics.append(diagnostic) }
        if let diagnostic = checkResolution(file, parents: parents) { diagnostics.append(diagnostic) }
        guard let record = file.record, let first = parents.first else { return diagnostics }
        for field in TicketRecord.ownedByPlatform {
            let value = record.value(of: field)
            if parents.contains(where: { $0.value(of: field) == value }) { continue }
            // Named against the first parent: on a merge, the branch merged into.
            for (path, was, now) in changes(in: field, from: first.value(of: field), to: value) {
                // Customer data is never echoed (annotations and job summaries
                // travel further than the file): only whether it is sealed.
                let change =
                    customerData.contains(field)
                    ? "was \(kind(of: was)), now \(kind(of: now))" : "was \(describe(was)), now \(describe(now))"
                diagnostics.append(
                    Diagnostic(
                        .ticketPlatformField, at: file.location(of: path),
                        "\(path) is owned by the platform and cannot change in git (\(change))",
                        hint: "revert the change; tickets pull writes the platform's value back anyway"))
            }
        }
        if !parents.contains(where: { $0.status.canMove(to: record.status) }) {
            let allowed = first.status.moves.map(\.rawValue)
            diagnostics.append(
                Diagnostic(
                    .ticketLifecycle,
                    at: file.valueLocations[TicketRecord.Field.status.rawValue] ?? file.location(of: "status"),
                    "status cannot move from \(first.status.rawValue) to \(record.status.rawValue)",
                    hint: allowed.isEmpty
                        ? "a \(first.status.rawValue) ticket is final; open a new ticket on the platform instead"
                        : "from \(first.status.rawValue) a ticket may move to \(allowed.joined(separator: ", "))"
                ))
        }
        return diagnostics.sorted { ($0.location, $0.rule.rawValue) < ($1.location, $1.rule.rawValue) }
    }

    /// A resolved or closed ticket carries a resolution, when this commit
    /// made it so (`TeamFields.lacksResolution`). A ticket the platform
    /// closed without one (as some do) is not the commit's doing, and its
    /// file reads like any other.
    public static func checkResolution(_ file: TicketFile.Parsed, parents: [TicketRecord]) -> Diagnostic? {
        guard let record = file.record, record.team.lacksResolution(comparedTo: parents.map(\.team)) else {
            return nil
        }
        return Diagnostic(
            .ticketResolution,
            at: file.valueLocations[TicketRecord.Field.resolution.rawValue] ?? file.location(of: "resolution"),
            "a \(record.status.rawValue) ticket needs a resolution",
            hint: "write what was done in resolution, or keep the ticket in_progress")
    }

    /// A ticket file is added at `tickets/<YYYY>/<MM>/` by its created_at in
    /// UTC, and stays there for good (a later created_at does not move it).
    static func checkFolder(_ file: TicketFile.Parsed) -> Diagnostic? {
        guard let record = file.record, let time = TicketTimestamp(record.createdAt) else { return nil }
        let folder = TicketPaths.folder + "/" + time.folder + "/"
        guard !file.path.hasPrefix(folder) || file.path.dropFirst(folder.count).contains("/") else { return nil }
        let expected = folder + TicketPaths.id(ofPath: file.path) + ".yaml"
        return Diagnostic(
            .ticketPath,
            at: file.valueLocations[TicketRecord.Field.createdAt.rawValue] ?? file.location(of: "created_at"),
            "a ticket created at \(record.createdAt) belongs in \(folder), not at \(file.path)",
            hint: "tickets live at tickets/<YYYY>/<MM>/<id>.yaml by created_at in UTC; move the file to \(expected)")
    }

    /// What changed in one field, by key path: the field itself, or, for the
    /// `customer` and `fields` mappings, each key of theirs that changed.
    private static func changes(in field: TicketRecord.Field, from old: YAMLValue, to new: YAMLValue)
        -> [(path: String, was: YAMLValue, now: YAMLValue)]
    {
        guard case .map(let oldMembers) = old, case .map(let newMembers) = new else {
            return [(field.rawValue, old, new)]
        }
        let before = Dictionary(oldMembers, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(newMembers, uniquingKeysWith: { first, _ in first })
        var keys = oldMembers.map(\.0)
        keys += newMembers.map(\.0).filter { before[$0] == nil }
        return keys.compactMap { key in
            let was = before[key] ?? .null
            let now = after[key] ?? .null
            // A key added or removed shows as null on the side without it.
            guard before[key] != after[key] else { return nil }
            return (field.rawValue + "." + key, was, now)
        }
    }

    /// The ticket files among `paths` that share an id, or have ids that
    /// differ only in case (one file on macOS and Windows): each group of
    /// two or more, sorted.
    public static func sameID(_ paths: some Sequence<String>) -> [[String]] {
        sameID(
            paths.filter { TicketPaths.kind(ofPath: $0) == .ticket }.map { path in
                let name = path.index(after: path.lastIndex(of: "/")!)
                return (String(path[..<name]), [String(path[name...])])
            })
    }

    /// `sameID` of ticket files given as `prefix + name` for each name of
    /// each group (names are `<id>.yaml`, ids ASCII), as a folder listing
    /// has them: paths are made only for twins.
    public static func sameID(_ groups: [(prefix: String, names: [String])]) -> [[String]] {
        var first: [String: (Int, Int)] = [:]
        first.reserveCapacity(groups.reduce(0) { $0 + $1.names.count })
        var found: [String: [String]] = [:]
        for (group, (prefix, names)) in groups.enumerated() {
            for (index, name) in names.enumerated() {
                // Folded to upper case; most ids are already (no new string then).
                let folded =
                    name.utf8.dropLast(5).contains(where: { (0x61...0x7A).contains($0) })
                    ? String(TicketPaths.id(ofPath: name)).uppercased() + ".yaml" : name
                // One lookup for the common case, a name seen for the first time.
                if let (otherGroup, other) = first.updateValue((group, index), forKey: folded) {
                    first[folded] = (otherGroup, other)
                    found[folded, default: [groups[otherGroup].prefix + groups[otherGroup].names[other]]].append(
                        prefix + name)
                }
            }
        }
        return found.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }

    /// The `ticket-path` error of a ticket-like file at no ticket's path
    /// (`T-1.yml`, `tickets/2026/11/sub/T-1.yaml`): audit, list, pull and
    /// push report it, and nothing reads it.
    public static func misplacedTicket(_ path: String) -> Diagnostic {
        Diagnostic(
            .ticketPath, at: SourceLocation(file: path, line: 1, column: 1),
            "\(path) is not a ticket path; tickets live at tickets/<YYYY>/<MM>/<id>.yaml, and nothing reads a file here",
            hint: "remove the file; tickets come from tickets pull")
    }

    /// A `ticket-duplicate` error at every file of every group.
    public static func duplicates(_ groups: [[String]]) -> [Diagnostic] {
        groups.flatMap { paths in
            paths.map { path in
                let others = paths.filter { $0 != path }
                // A tree made by hand may list one name twice.
                let message =
                    others.isEmpty
                    ? "the commit's tree lists this ticket file \(paths.count) times"
                    : "another ticket file has this id, or one that differs only in case: \(Set(others).sorted().joined(separator: ", "))"
                return Diagnostic(
                    .ticketDuplicate, at: SourceLocation(file: path, line: 1, column: 1), message,
                    hint: "a ticket has one file, for good; remove the one tickets pull did not write")
            }
        }.sorted { $0.location < $1.location }
    }

    /// The fields that hold customer data, sealed or not.
    public static let customerData: Set<TicketRecord.Field> = [.reason, .summary, .customer, .fields]

    /// A customer-data value described without its content.
    public static func kind(of value: YAMLValue) -> String {
        switch value {
        case .null: return "null"
        case .string(let text):
            // An empty text holds nothing to hide: what an erasure leaves.
            if text.isEmpty { return "\"\"" }
            if WithheldValue.isWithheld(text) { return "(withheld)" }
            return SealedValue.isSealed(text) ? "(sealed)" : "(a value in plain text)"
        case .map(let members): return members.isEmpty ? "{}" : "(values)"
        default: return "(a value)"
        }
    }

    /// A customer-data value with each text replaced by its kind, the
    /// shape kept: `{name: (a value in plain text), phone: null}`.
    public static func described(_ value: YAMLValue) -> YAMLValue {
        switch value {
        case .null: return .null
        case .string(let text) where text.isEmpty: return value  // nothing to hide: what an erasure leaves
        case .list(let items): return .list(items.map(described))
        case .map(let members): return .map(members.map { ($0.0, described($0.1)) })
        case .bool, .int, .string: return .string(kind(of: value))
        }
    }

    /// A value for a message: as YAML would write it inline, cut short.
    static func describe(_ value: YAMLValue) -> String {
        let text: String
        switch value {
        case .null: text = "null"
        case .bool(let flag): text = String(flag)
        case .int(let number): text = String(number)
        case .string(let string):
            // Ciphertext says nothing to a reader: that a sealed value changed is the news.
            text =
                WithheldValue.hidesValue(string)
                ? SealedValue.abbreviated(string) : YAMLWriter.scalar(string, flow: true)
        case .list(let items): text = "[" + items.map(describe).joined(separator: ", ") + "]"
        case .map(let members):
            text =
                "{"
                + members.map { YAMLWriter.scalar($0.0, flow: true) + ": " + describe($0.1) }.joined(separator: ", ")
                + "}"
        }
        let limit = 60
        return text.count <= limit ? text : text.prefix(limit - 1) + "…"
    }
}
