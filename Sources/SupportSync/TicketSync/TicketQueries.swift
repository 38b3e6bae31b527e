import Foundation
import Git
import YAML

/// `tickets list`, `tickets show` and `tickets history`: reading tickets
/// from the working tree (or the branch tip in a bare repository) and
/// their history from git.
public struct TicketQueries {
    let tickets: TicketRepository

    public init(tickets: TicketRepository) {
        self.tickets = tickets
    }

    public struct Filter: Sendable {
        public var status: TicketStatus?
        public var agent: String?
        /// `YYYY-MM-DD`: tickets created on or after that day (UTC).
        public var since: String?

        public init(status: TicketStatus? = nil, agent: String? = nil, since: String? = nil) {
            self.status = status
            self.agent = agent
            self.since = since
        }
    }

    /// Every ticket matching `filter`, sorted by creation time then id.
    /// Files are screened on their bytes before being parsed, so a filter
    /// that matches few tickets reads few of them fully.
    public func list(_ filter: Filter) throws -> [TicketRecord] {
        let needles = [
            filter.status.map { Array("\nstatus: \($0.rawValue)\n".utf8) },
            filter.agent.map { Array("\nagent: \($0)\n".utf8) },
        ].compactMap { $0 }
        var records: [TicketRecord] = []
        for (path, bytes) in try ticketFiles() {
            guard needles.allSatisfy({ bytes.contains(subsequence: $0) }) else { continue }
            guard let record = TicketFile.read(bytes, path: path).0 else { continue }
            if let status = filter.status, record.status != status { continue }
            if let agent = filter.agent, record.agent != agent { continue }
            if let since = filter.since, record.createdAt.prefix(10) < since { continue }
            records.append(record)
        }
        return records.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// The ticket files: from the working tree when the branch is checked
    /// out (what the user sees), else from the branch tip.
    private func ticketFiles() throws -> [(String, [UInt8])] {
        if tickets.followsWorkingTree, let workdir = tickets.repository.workdir {
            let root = URL(fileURLWithPath: workdir).appendingPathComponent(TicketPaths.folder)
            var files: [(String, [UInt8])] = []
            let manager = FileManager.default
            for year in (try? manager.contentsOfDirectory(atPath: root.path)) ?? [] where year.first != "." {
                let yearURL = root.appendingPathComponent(year)
                for month in (try? manager.contentsOfDirectory(atPath: yearURL.path)) ?? [] where month.first != "." {
                    let monthURL = yearURL.appendingPathComponent(month)
                    for name in (try? manager.contentsOfDirectory(atPath: monthURL.path)) ?? [] where name.hasSuffix(".yaml") {
                        if let data = manager.contents(atPath: monthURL.appendingPathComponent(name).path) {
                            files.append(("\(TicketPaths.folder)/\(year)/\(month)/\(name)", [UInt8](data)))
                        }
                    }
                }
            }
            return files
        }
        guard let tip = try tickets.tip() else { return [] }
        return try tickets.repository.files(under: TicketPaths.folder, in: tip).filter { $0.path.hasSuffix(".yaml") }
            .map { ($0.path, try tickets.repository.blob($0.blob)) }
    }

    /// The path of ticket `id` at the branch tip.
    public func path(of id: String) throws -> String {
        guard TicketPaths.isSafeID(id), let tip = try tickets.tip() else { throw TicketCommandError.unknownTicket(id) }
        let name = "/\(id).yaml"
        guard let file = try tickets.repository.files(under: TicketPaths.folder, in: tip).first(where: { $0.path.hasSuffix(name) })
        else { throw TicketCommandError.unknownTicket(id) }
        return file.path
    }

    /// The ticket file's text: the working-tree copy when there is one.
    public func show(_ id: String) throws -> (path: String, text: String, record: TicketRecord?) {
        let path = try path(of: id)
        let bytes = try tickets.workingCopy(path) ?? tickets.bytes(at: path, in: tickets.tip()) ?? []
        return (path, String(decoding: bytes, as: UTF8.self), TicketFile.read(bytes, path: path).0)
    }

    public struct HistoryEntry: Sendable {
        public var commit: ObjectID
        public var author: Signature
        public var message: String
        public var changes: [FieldChange]
    }

    public struct FieldChange: Sendable, Hashable, Encodable {
        public var field: String
        public var old: String?
        public var new: String?
    }

    /// Every commit that changed the ticket, newest first, with its field changes.
    public func history(_ id: String) throws -> (path: String, entries: [HistoryEntry]) {
        let path = try path(of: id)
        guard let tip = try tickets.tip() else { return (path, []) }
        var entries: [HistoryEntry] = []
        for commit in try tickets.repository.history(of: path, from: tip) {
            let new = try tickets.repository.blob(at: path, in: commit.id).flatMap { TicketFile.read($0, path: path).0 }
            let old = try commit.parents.first.flatMap { try tickets.repository.blob(at: path, in: $0) }
                .flatMap { TicketFile.read($0, path: path).0 }
            entries.append(
                HistoryEntry(commit: commit.id, author: commit.author, message: commit.message, changes: Self.changes(from: old, to: new)))
        }
        return (path, entries)
    }

    static func changes(from old: TicketRecord?, to new: TicketRecord?) -> [FieldChange] {
        TicketRecord.Field.allCases.compactMap { field in
            let before = old.map { render($0.value(of: field)) }
            let after = new.map { render($0.value(of: field)) }
            return before == after ? nil : FieldChange(field: field.rawValue, old: before, new: after)
        }
    }

    /// One line, for `field: old -> new`.
    static func render(_ value: YAMLValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .string(let text): return text.contains("\n") ? text.debugDescription : text
        case .list(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .map(let members): return "{" + members.map { "\($0.0): \(render($0.1))" }.joined(separator: ", ") + "}"
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var index = 0
        let last = count - needle.count
        while index <= last {
            if self[index] == first && self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}

extension TicketConflict {
    /// The three values, each on one line, for messages.
    public var rendered: (base: String?, git: String, platform: String) {
        (base.map(TicketQueries.render), TicketQueries.render(git), TicketQueries.render(platform))
    }
}
