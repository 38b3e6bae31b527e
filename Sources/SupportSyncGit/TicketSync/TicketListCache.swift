import Foundation
import SupportSync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `tickets list` needs of each ticket file (the fields it filters,
/// sorts and prints in its table), kept between runs in the repository's
/// git folder (`.git/supportsync/list-cache`, never committed) and keyed by
/// what says the file has not changed: its size, modification time and
/// inode in the working tree (as git's own index does), its blob id in a
/// commit. A file whose key differs is read and parsed again; a file that
/// cannot be read as a ticket is never cached, so it is reported every time.
/// An entry is not trusted when the file changed less than two seconds
/// before the run that cached it started (it may have changed again within
/// the same clock tick).
struct TicketListCache {
    struct Row: Sendable, Hashable {
        var id: String
        var agent: String
        var channel: String
        var createdAt: String
        var status: String
        var priority: String
        var assignee: String?
        var tags: [String]
        /// The first 60 characters of the reason, sealed values abbreviated, on one line.
        var reason: String

        init(_ record: TicketRecord) {
            id = record.id
            agent = record.agent
            channel = record.channel.rawValue
            createdAt = record.createdAt
            status = record.status.rawValue
            priority = record.priority.rawValue
            assignee = record.assignee
            tags = record.tags
            reason = String(SealedValue.abbreviated(record.reason).prefix(60)).replacingOccurrences(of: "\n", with: " ")
        }

        init?(fields: ArraySlice<String>) {
            guard fields.count == 9 else { return nil }
            let values = Array(fields)
            id = values[0]
            agent = values[1]
            channel = values[2]
            createdAt = values[3]
            status = values[4]
            priority = values[5]
            assignee = values[6].isEmpty ? nil : String(values[6].dropFirst())
            tags =
                values[7].isEmpty
                ? []
                : values[7].split(separator: ",", omittingEmptySubsequences: false).map {
                    !$0.utf8.contains(0x25)
                        ? String($0)
                        : $0.replacingOccurrences(of: "%2C", with: ",").replacingOccurrences(of: "%25", with: "%")
                }
            reason = values[8]
        }

        var fields: [String] {
            // A tag may hold a comma (the platform decides): escaped inside the list.
            let tagList = tags.map {
                !$0.utf8.contains(where: { $0 == 0x25 || $0 == 0x2C })
                    ? $0 : $0.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C")
            }
            return [
                id, agent, channel, createdAt, status, priority, assignee.map { "=" + $0 } ?? "",
                tagList.joined(separator: ","), reason,
            ]
        }

        /// A record holding only these fields (customer data left empty):
        /// enough for the list's filters, sort and table.
        var record: TicketRecord? {
            guard let channel = Channel(rawValue: channel), let status = TicketStatus(rawValue: status),
                let priority = Priority(rawValue: priority)
            else { return nil }
            return TicketRecord(
                id: id, agent: agent, channel: channel, conversation: "", createdAt: createdAt, reason: reason,
                tags: tags, priority: priority, status: status, assignee: assignee)
        }
    }

    static let header = "supportsync-list-cache 1"
    /// By path: the file's key and its row.
    var entries: [String: (key: String, row: Row)] = [:]
    /// When the cache was written, in nanoseconds since 1970.
    var writtenAt: Int64 = 0

    static func location(gitDirectory: String) -> String { gitDirectory + "/supportsync/list-cache" }

    static func read(gitDirectory: String) -> TicketListCache {
        var cache = TicketListCache()
        guard let data = FileManager.default.contents(atPath: location(gitDirectory: gitDirectory)) else {
            return cache
        }
        // On bytes: a cache of 100,000 tickets is read in a few milliseconds per thousand.
        let bytes = [UInt8](data)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)[...]
        guard let first = lines.popFirst(), first.starts(with: Array((header + " ").utf8)),
            let written = Int64(String(decoding: first.dropFirst(header.utf8.count + 1), as: UTF8.self))
        else { return cache }
        cache.writtenAt = written
        // Each line is parsed on its own, on every core.
        let parsed = concurrentMap(Array(lines)) { line -> (path: String, key: String, row: Row)? in
            var fields: [String] = []
            fields.reserveCapacity(11)
            for field in line.split(separator: 0x09, omittingEmptySubsequences: false) {
                fields.append(
                    field.contains(0x25)
                        ? unescape(String(decoding: field, as: UTF8.self)) : String(decoding: field, as: UTF8.self))
            }
            guard fields.count == 11, let row = Row(fields: fields[2...]) else { return nil }
            return (fields[0], fields[1], row)
        }
        cache.entries.reserveCapacity(parsed.count)
        for case let entry? in parsed { cache.entries[entry.path] = (entry.key, entry.row) }
        return cache
    }

    /// Writes the cache atomically; a repository that cannot take it (read
    /// only) simply goes without.
    func write(gitDirectory: String, now: Int64) {
        var text = Self.header + " \(now)\n"
        for (path, entry) in entries.sorted(by: { $0.key < $1.key }) {
            text += ([Self.escape(path), entry.key] + entry.row.fields.map(Self.escape)).joined(separator: "\t") + "\n"
        }
        let location = Self.location(gitDirectory: gitDirectory)
        try? FileManager.default.createDirectory(
            atPath: (location as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: URL(fileURLWithPath: location), options: .atomic)
    }

    /// The row for `path` when its key is the one cached and the entry can be trusted.
    func row(for path: String, key: String, modified: Int64?) -> Row? {
        guard let entry = entries[path], entry.key == key else { return nil }
        if let modified, modified >= writtenAt - 2_000_000_000 { return nil }
        return entry.row
    }

    /// The key of a working-tree file, from `lstat`: nil when it is not a
    /// regular file (a FIFO, a link), which is always read the long way.
    static func workingTreeKey(_ path: String) -> (key: String, modified: Int64)? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        #if canImport(Darwin)
            let modified = Int64(status.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(status.st_mtimespec.tv_nsec)
            let changed = Int64(status.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(status.st_ctimespec.tv_nsec)
        #else
            let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            let changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        #endif
        // As git's index: modification and change times, size, inode and device.
        return ("\(modified).\(changed).\(status.st_size).\(status.st_ino).\(status.st_dev)", max(modified, changed))
    }

    static func nowNanoseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000_000) }

    private static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x25 }) else { return text }
        // Rare (a tab or a newline in an assignee or a reason): Foundation's replace is fine.
        return text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\t", with: "%09")
            .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: "\r", with: "%0D")
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "%09", with: "\t").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%25", with: "%")
    }
}
