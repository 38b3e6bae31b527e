import Foundation
import Git
import SupportSync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `tickets list` needs of each ticket file (the fields it filters,
/// sorts and prints in its table), kept between runs in the repository's
/// git folder (never committed) and keyed by what says the file has not
/// changed: its size, modification time and inode in the working tree (as
/// git's own index does; `.git/supportsync/list-cache`), its blob id in a
/// commit (`list-cache-blobs`, so that listing a branch does not undo the
/// working tree's cache, nor the working tree a branch's). A file whose key
/// differs is read and parsed again; a file that cannot be read as a ticket
/// is never cached, so it is reported every time.
/// An entry is not trusted when the file changed less than two seconds
/// before the run that cached it started (it may have changed again within
/// the same clock tick).
///
/// The cache is one line per file, sorted by path, its fields separated by
/// tabs. It is read as bytes and used as bytes: a list of 100,000 tickets
/// looks each file up by binary search and filters on the cached fields
/// themselves (`Entry`), making text only of the tickets it lists.
struct TicketListCache {
    /// A ticket's cached fields, made from its record when its file is parsed.
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
            reason = TicketRecord.tableReason(record.reason, erased: record.erasure != nil)
        }

        /// What a list that needs no whole record (the table) keeps of
        /// `record`, the record this row was made from: the fields the row
        /// holds, as `Entry.record` reads them back from the cache (customer
        /// data left empty). Listing 100,000 tickets keeps no more of each
        /// than this, from files or the cache.
        func summary(of record: TicketRecord) -> TicketRecord {
            TicketRecord(
                id: id, agent: agent, channel: record.channel, conversation: "", createdAt: createdAt,
                reason: reason, tags: tags, priority: record.priority, status: record.status, assignee: assignee)
        }

        /// The row's cache line for the file at `path` with `key`, without its newline.
        func line(path: String, key: String) -> [UInt8] {
            // A tag may hold a comma (the platform decides): escaped inside the list.
            let tagList = tags.map {
                !$0.utf8.contains(where: { $0 == 0x25 || $0 == 0x2C })
                    ? $0 : $0.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C")
            }
            let fields = [
                path, key, id, agent, channel, createdAt, status, priority, assignee.map { "=" + $0 } ?? "",
                tagList.joined(separator: ","), reason,
            ]
            return Array(fields.map(TicketListCache.escape).joined(separator: "\t").utf8)
        }
    }

    /// The fields of a line, in order.
    enum Field: Int, CaseIterable {
        case path, key, id, agent, channel, createdAt, status, priority, assignee, tags, reason
    }

    static let header = "supportsync-list-cache 4"
    private static let stride = Field.allCases.count + 1

    /// The cache file's bytes and where its fields are, held once and read
    /// in place: looking a file up, or a field, copies nothing and takes no
    /// reference (100,000 files are looked up per list). Never changed
    /// once made; a pointer into it is good while the cache is.
    private final class Storage: @unchecked Sendable {
        /// The cache file's bytes.
        let bytes: UnsafeMutableBufferPointer<UInt8>
        /// For each line, where each field starts, then where the line ends
        /// (`stride` numbers a line). Lines are in the order of their paths' bytes.
        let bounds: UnsafeMutableBufferPointer<Int32>

        init(bytes: UnsafeMutableBufferPointer<UInt8> = .allocate(capacity: 0), bounds: [Int32] = []) {
            self.bytes = bytes
            self.bounds = .allocate(capacity: bounds.count)
            _ = self.bounds.initialize(from: bounds)
        }

        deinit {
            bytes.deallocate()
            bounds.deallocate()
        }
    }

    private var storage = Storage() {
        didSet { text = Text(bytes: UnsafeBufferPointer(storage.bytes), bounds: UnsafeBufferPointer(storage.bounds)) }
    }

    /// The storage's lines, read through pointers kept beside it: copied
    /// (into an entry) and read with no reference taken. Good while the
    /// cache is: nothing made of it outlives the list that read it.
    fileprivate struct Text {
        var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var bounds = UnsafeBufferPointer<Int32>(start: nil, count: 0)

        /// The bytes of a field of a line, as cached (escaped).
        func field(_ field: Field, of line: Int) -> UnsafeBufferPointer<UInt8> {
            let start = Int(bounds[line * TicketListCache.stride + field.rawValue])
            let end = Int(bounds[line * TicketListCache.stride + field.rawValue + 1]) - (field == .reason ? 0 : 1)
            return UnsafeBufferPointer(rebasing: bytes[start..<end])
        }

        /// The line's bytes, without its newline.
        func line(_ line: Int) -> UnsafeBufferPointer<UInt8> {
            let stride = TicketListCache.stride
            return UnsafeBufferPointer(
                rebasing: bytes[Int(bounds[line * stride])..<Int(bounds[line * stride + stride - 1])])
        }
    }

    private var text = Text()
    private var bytes: UnsafeBufferPointer<UInt8> { text.bytes }
    private var bounds: UnsafeBufferPointer<Int32> { text.bounds }
    /// When the cache was written, in nanoseconds since 1970.
    private(set) var writtenAt: Int64 = 0

    var count: Int { bounds.count / Self.stride }

    /// Which files a cache is of, and so how its keys are made.
    enum Kind: Sendable {
        /// The working tree's files, keyed by `lstat`.
        case workingTree
        /// A commit's files, keyed by blob id.
        case blobs
    }

    /// Where the cache of `kind` is kept.
    private(set) var location = ""

    /// Deletes both caches, after a commit that sealed or unsealed every
    /// file: a row keeps the first characters of a reason as the file held
    /// it, and must not outlive the rewrite until the next `list`.
    static func forget(gitDirectory: String) {
        for kind in [Kind.workingTree, .blobs] { unlink(location(gitDirectory: gitDirectory, kind: kind)) }
    }

    /// Drops the rows of `paths` from both caches, after a commit that
    /// erased those tickets: each row kept its reason's first characters
    /// (plain where reasons are not sealed). The other rows stay, with the
    /// time they were written, so they are trusted as before.
    static func forget(paths: Set<String>, gitDirectory: String) {
        guard !paths.isEmpty else { return }
        for kind in [Kind.workingTree, .blobs] {
            let cache = read(gitDirectory: gitDirectory, kind: kind)
            guard cache.count > 0 else { continue }
            let kept = (0..<cache.count).filter { line in
                !paths.contains(String(decoding: cache.field(.path, of: line), as: UTF8.self))
            }
            guard kept.count < cache.count else { continue }
            cache.write(kept.map(Line.kept), now: cache.writtenAt)
        }
    }

    static func location(gitDirectory: String, kind: Kind) -> String {
        gitDirectory + (kind == .workingTree ? "/supportsync/list-cache" : "/supportsync/list-cache-blobs")
    }

    /// The cache, or an empty one when there is none or it cannot be read
    /// as one (a former format, lines out of order): it is then rebuilt.
    static func read(gitDirectory: String, kind: Kind) -> TicketListCache {
        var cache = TicketListCache()
        cache.location = location(gitDirectory: gitDirectory, kind: kind)
        guard let data = FileManager.default.contents(atPath: cache.location), data.count < Int32.max else {
            return cache
        }
        // Copied once, into memory the cache keeps and reads in place.
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: data.count)
        _ = data.copyBytes(to: bytes)
        guard let parsed = parse(UnsafeBufferPointer(bytes)) else {
            bytes.deallocate()
            return cache
        }
        cache.storage = Storage(bytes: bytes, bounds: parsed.bounds)
        cache.writtenAt = parsed.writtenAt
        return cache
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> (bounds: [Int32], writtenAt: Int64)? {
        // `header`, when it was written, and the checksum of the lines with that time.
        let prefix = Array((header + " ").utf8)
        guard buffer.starts(with: prefix), let firstEnd = buffer.firstIndex(of: 0x0A) else { return nil }
        let stamps = String(decoding: buffer[prefix.count..<firstEnd], as: UTF8.self).split(separator: " ")
        guard stamps.count == 2, let written = Int64(stamps[0]), let checksum = UInt64(stamps[1], radix: 16),
            FileChecksum.of(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[(firstEnd + 1)...])))
                ^ UInt64(bitPattern: written) == checksum
        else { return nil }
        var bounds: [Int32] = []
        bounds.reserveCapacity(buffer.count / 200 * stride)
        var position = firstEnd + 1
        var previousPath: UnsafeBufferPointer<UInt8>?
        while position < buffer.count {
            let lineStart = position
            var fields = 1
            bounds.append(Int32(position))
            while position < buffer.count && buffer[position] != 0x0A {
                if buffer[position] == 0x09 {
                    fields += 1
                    guard fields <= Field.allCases.count else { return nil }
                    bounds.append(Int32(position + 1))
                }
                position += 1
            }
            guard fields == Field.allCases.count else { return nil }
            bounds.append(Int32(position))
            // In the order of paths: what the look-up relies on.
            let path = UnsafeBufferPointer(rebasing: buffer[lineStart..<Int(bounds[bounds.count - stride + 1]) - 1])
            if let previousPath, compare(previousPath, path) >= 0 { return nil }
            previousPath = path
            position += 1
        }
        return (bounds, written)
    }

    /// The line whose path `order` finds: `order` tells how a cached path
    /// (its bytes as cached: escaped) compares with the one looked for.
    private func line(where order: (UnsafeBufferPointer<UInt8>) -> Int) -> Int? {
        var low = 0
        var high = count
        let (bytes, bounds) = (self.bytes, self.bounds)
        while low < high {
            let middle = (low + high) / 2
            let start = Int(bounds[middle * Self.stride])
            let end = Int(bounds[middle * Self.stride + 1]) - 1
            let found = order(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            if found == 0 { return middle }
            if found < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The entry for the file at `path` when its key is the one cached and
    /// the entry can be trusted. `next` is the line after the last one
    /// found: files taken in the order of their paths are found there
    /// without a search (and it is moved on).
    func entry(for path: String, key: FileKey, next: inout Int) -> Entry? {
        var escaped = Self.escape(path)
        return escaped.withUTF8 { path in entry(key: key, next: &next) { Self.compare($0, path) } }
    }

    /// `entry(for:key:next:)` of the file `name` in `folder` (a path from
    /// the root), its path compared in pieces: most of the files a list
    /// looks at are only looked up, and make no path.
    func entry(in folder: String, name: String, key: FileKey, next: inout Int) -> Entry? {
        guard !Self.needsEscape(folder.utf8), !Self.needsEscape(name.utf8) else {
            return entry(for: folder + "/" + name, key: key, next: &next)
        }
        var (folder, name) = (folder, name)
        return folder.withUTF8 { folder in
            name.withUTF8 { name in
                entry(key: key, next: &next) { cached in
                    // The cached path against `folder`, then `/`, then `name`.
                    let head = min(cached.count, folder.count)
                    let order = Self.compare(UnsafeBufferPointer(rebasing: cached[..<head]), folder)
                    guard order == 0 else { return order }
                    guard cached.count > folder.count else { return -1 }
                    guard cached[folder.count] == 0x2F else { return Int(cached[folder.count]) - 0x2F }
                    return Self.compare(UnsafeBufferPointer(rebasing: cached[(folder.count + 1)...]), name)
                }
            }
        }
    }

    private func entry(key: FileKey, next: inout Int, order: (UnsafeBufferPointer<UInt8>) -> Int) -> Entry? {
        let found: Int
        if next < count, order(field(.path, of: next)) == 0 {
            found = next
        } else {
            guard let line = line(where: order) else { return nil }
            found = line
        }
        next = found + 1
        guard key.matches(field(.key, of: found)) else { return nil }
        if let modified = key.modified, modified >= writtenAt - 2_000_000_000 { return nil }
        return Entry(text: text, line: found)
    }

    /// The bytes of a field of a line, as cached (escaped).
    private func field(_ field: Field, of line: Int) -> UnsafeBufferPointer<UInt8> { text.field(field, of: line) }

    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0, case let order = memcmp(a.baseAddress!, b.baseAddress!, common), order != 0 {
            return Int(order)
        }
        return a.count - b.count
    }

    /// A cached line of the cache being written: kept as it was, or made
    /// anew (its bytes, as `Row.line` writes them, without the newline).
    /// A line is one allocation, not a record's many strings: a first list
    /// of 100,000 tickets holds them all until the cache is written.
    enum Line: Sendable {
        case kept(Int)
        case made([UInt8])
    }

    /// Writes a cache of `lines`, atomically; a repository that cannot take
    /// it (read only) simply goes without.
    func write(_ lines: [Line], now: Int64) {
        // Each line's path, as cached: the bytes before its first tab.
        let paths = lines.map { line -> ArraySlice<UInt8> in
            switch line {
            case .kept(let line): ArraySlice(field(.path, of: line))
            case .made(let bytes): bytes[..<(bytes.firstIndex(of: 0x09) ?? bytes.count)]
            }
        }
        let order = lines.indices.sorted { paths[$0].lexicographicallyPrecedes(paths[$1]) }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + lines.count * 8)
        var previous: Int?
        for index in order {
            if let previous, paths[previous] == paths[index] { continue }
            previous = index
            switch lines[index] {
            case .kept(let line): text += self.text.line(line)
            case .made(let bytes): text += bytes
            }
            text.append(0x0A)
        }
        let checksum = FileChecksum.of(text) ^ UInt64(bitPattern: now)
        var file = Array((Self.header + " \(now) \(String(checksum, radix: 16))\n").utf8)
        file.reserveCapacity(file.count + text.count)
        file += text
        try? WholeFile.write(file, to: location)
    }

    /// What says a file has not changed since it was cached.
    struct FileKey {
        /// A working-tree file's `lstat` numbers, as git's index keeps them:
        /// modification and change times, size, inode and device. Held in
        /// place (a key is made for each of 100,000 files per list).
        var numbers: (Int64, Int64, Int64, Int64, Int64)?
        /// A blob id's hexadecimal digits.
        var text: String?
        /// The later of the file's modification and change times.
        var modified: Int64?

        init(blob hex: String) { text = hex }

        /// The key of a working-tree file, from `lstat`: nil when it is not a
        /// regular file (a FIFO, a link), which is always read the long way.
        /// `name` is looked up in the open folder `folder`, or, when that is
        /// `AT_FDCWD`, is a path.
        init?(folder: Int32, name: String) {
            var status = stat()
            guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG else {
                return nil
            }
            #if canImport(Darwin)
                let modified = Int64(status.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(status.st_mtimespec.tv_nsec)
                let changed = Int64(status.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(status.st_ctimespec.tv_nsec)
            #else
                let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
                let changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
            #endif
            // As git's index: modification and change times, size, inode and device.
            numbers = (
                modified, changed, Int64(status.st_size), Int64(truncatingIfNeeded: status.st_ino),
                Int64(truncatingIfNeeded: status.st_dev)
            )
            self.modified = max(modified, changed)
        }

        /// The numbers in order.
        private var all: [Int64] {
            guard let (modified, changed, size, inode, device) = numbers else { return [] }
            return [modified, changed, size, inode, device]
        }

        /// The key as the cache writes it.
        var description: String { text ?? all.map(String.init).joined(separator: ".") }

        /// Whether the cached key `field` is this one: compared as numbers, made into no text.
        func matches(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
            if let text { return field.elementsEqual(text.utf8) }
            guard let numbers else { return false }
            return withUnsafeBytes(of: numbers) { matches(field, $0.assumingMemoryBound(to: Int64.self)) }
        }

        private func matches(_ field: UnsafeBufferPointer<UInt8>, _ numbers: UnsafeBufferPointer<Int64>) -> Bool {
            var index = 0
            var value: Int64 = 0
            var negative = false
            var digits = 0
            for byte in field {
                switch byte {
                case 0x2E:
                    guard digits > 0, index < numbers.count, (negative ? 0 &- value : value) == numbers[index] else {
                        return false
                    }
                    index += 1
                    (value, negative, digits) = (0, false, 0)
                case 0x2D where digits == 0 && !negative:
                    negative = true
                case 0x30...0x39 where digits < 19:
                    value = value &* 10 &+ Int64(byte - 0x30)
                    digits += 1
                default:
                    return false
                }
            }
            return digits > 0 && index == numbers.count - 1 && (negative ? 0 &- value : value) == numbers[index]
        }
    }

    /// A cached line, read for the filters and the table without making a
    /// record of it.
    ///
    /// Read while its cache is alive (it points into the cache's storage
    /// without holding it): within the list that found it.
    struct Entry: TicketSummaryFields {
        fileprivate let text: Text
        let line: Int

        private func field(_ field: Field) -> UnsafeBufferPointer<UInt8> { text.field(field, of: line) }

        /// The line's text field, unescaped.
        private func text(_ name: Field) -> String {
            let bytes = field(name)
            let text = String(decoding: bytes, as: UTF8.self)
            return bytes.contains(0x25) ? TicketListCache.unescape(text) : text
        }

        var summaryStatus: TicketStatus? { Self.value(field(.status)) }
        var summaryPriority: Priority? { Self.value(field(.priority)) }
        var summaryChannel: Channel? { Self.value(field(.channel)) }

        /// The case of `E` whose raw value is `bytes`, compared as bytes (no text made).
        private static func value<E: RawRepresentable & CaseIterable>(_ bytes: UnsafeBufferPointer<UInt8>) -> E?
        where E.RawValue == String {
            E.allCases.first { value in
                var raw = value.rawValue
                return raw.withUTF8 { $0.count == bytes.count && $0.elementsEqual(bytes) }
            }
        }

        /// Whether the fields the filters compare read back as values.
        var isWhole: Bool { summaryStatus != nil && summaryPriority != nil && summaryChannel != nil }

        func hasAgent(_ name: String) -> Bool { matches(field(.agent), name) }

        func hasAssignee(_ name: String?) -> Bool {
            let cached = field(.assignee)
            guard let name else { return cached.isEmpty }
            return cached.first == 0x3D && matches(cached.dropFirst(), name)
        }

        var createdDay: Slice<UnsafeBufferPointer<UInt8>> { field(.createdAt).prefix(10) }

        func hasTag(_ tag: String) -> Bool { tags.contains(tag) }

        private var tags: [String] {
            let list = text(.tags)
            guard !list.isEmpty else { return [] }
            return list.split(separator: ",", omittingEmptySubsequences: false).map {
                !$0.utf8.contains(0x25)
                    ? String($0)
                    : $0.replacingOccurrences(of: "%2C", with: ",").replacingOccurrences(of: "%25", with: "%")
            }
        }

        private func matches(_ cached: some Collection<UInt8>, _ name: String) -> Bool {
            cached.contains(0x25)
                ? TicketListCache.unescape(String(decoding: cached, as: UTF8.self)) == name
                : cached.elementsEqual(name.utf8)
        }

        /// A record holding only the cached fields (customer data left
        /// empty): enough for the list's filters, sort and table.
        var record: TicketRecord? {
            guard let channel = summaryChannel, let status = summaryStatus, let priority = summaryPriority else {
                return nil
            }
            let assignee = field(.assignee).isEmpty ? nil : String(text(.assignee).dropFirst())
            return TicketRecord(
                id: text(.id), agent: text(.agent), channel: channel, conversation: "", createdAt: text(.createdAt),
                reason: text(.reason), tags: tags, priority: priority, status: status, assignee: assignee)
        }

        /// Whether the line is `bytes`, a line made anew for the same file.
        func isLine(_ bytes: [UInt8]) -> Bool { text.line(line).elementsEqual(bytes) }
    }

    static func nowNanoseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000_000) }

    /// Whether `bytes` hold what the cache escapes: a tab, a newline, a
    /// carriage return or `%`.
    private static func needsEscape(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x25 }
    }

    fileprivate static func escape(_ text: String) -> String {
        guard needsEscape(text.utf8) else { return text }
        // Rare (a tab or a newline in an assignee or a reason): Foundation's replace is fine.
        return text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\t", with: "%09")
            .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: "\r", with: "%0D")
    }

    fileprivate static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "%09", with: "\t").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%25", with: "%")
    }
}
