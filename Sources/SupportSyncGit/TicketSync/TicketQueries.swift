import Foundation
import Git
import SupportSync
import YAML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the list's filters read of a ticket: its whole record, or its
/// line in the list cache, which is filtered without making a record of it.
protocol TicketSummaryFields {
    var summaryStatus: TicketStatus? { get }
    var summaryPriority: Priority? { get }
    var summaryChannel: Channel? { get }
    func hasAgent(_ name: String) -> Bool
    /// Whether the assignee is `name`; with nil, whether nobody is.
    func hasAssignee(_ name: String?) -> Bool
    associatedtype CreatedDay: Collection<UInt8>
    /// The bytes of the creation day (`YYYY-MM-DD`, UTC).
    var createdDay: CreatedDay { get }
    func hasTag(_ tag: String) -> Bool
}

extension TicketRecord: TicketSummaryFields {
    var summaryStatus: TicketStatus? { status }
    var summaryPriority: Priority? { priority }
    var summaryChannel: Channel? { report.channel }
    func hasAgent(_ name: String) -> Bool { report.agent == name }
    func hasAssignee(_ name: String?) -> Bool { assignee == name }
    var createdDay: Substring.UTF8View { createdAt.utf8.prefix(10) }
    func hasTag(_ tag: String) -> Bool { report.tags.contains(tag) }
}

/// `tickets list`, `tickets show` and `tickets history`: reading tickets
/// from the working tree (or the branch tip in a bare repository) and
/// their history from git.
public struct TicketQueries {
    let tickets: TicketStore

    public init(tickets: TicketStore) {
        self.tickets = tickets
    }

    public struct Filter: Sendable {
        public var status: TicketStatus?
        public var agent: String?
        /// `YYYY-MM-DD`: tickets created on or after that day (UTC).
        public var since: String?
        /// `YYYY-MM-DD`: tickets created on or before that day (UTC).
        public var until: String?
        public var assignee: String?
        /// Only tickets nobody is assigned.
        public var unassigned = false
        public var priority: Priority?
        public var tag: String?
        public var channel: Channel?
        /// No ticket at all: a scan for the files that do not read.
        var nothing = false

        /// Matches no ticket: `listing` then only finds the files that do not read.
        static var noTicket: Filter {
            var filter = Filter()
            filter.nothing = true
            return filter
        }

        public init(
            status: TicketStatus? = nil, agent: String? = nil, since: String? = nil, until: String? = nil,
            assignee: String? = nil, unassigned: Bool = false, priority: Priority? = nil, tag: String? = nil,
            channel: Channel? = nil
        ) {
            self.status = status
            self.agent = agent
            self.since = since
            self.until = until
            self.assignee = assignee
            self.unassigned = unassigned
            self.priority = priority
            self.tag = tag
            self.channel = channel
        }

        func matches(_ ticket: some TicketSummaryFields) -> Bool {
            if nothing { return false }
            if let status, ticket.summaryStatus != status { return false }
            if let agent, !ticket.hasAgent(agent) { return false }
            if let since, ticket.createdDay.lexicographicallyPrecedes(since.utf8) { return false }
            if let until, until.utf8.lexicographicallyPrecedes(ticket.createdDay) { return false }
            if let assignee, !ticket.hasAssignee(assignee) { return false }
            if unassigned, !ticket.hasAssignee(nil) { return false }
            if let priority, ticket.summaryPriority != priority { return false }
            if let tag, !ticket.hasTag(tag) { return false }
            if let channel, ticket.summaryChannel != channel { return false }
            return true
        }
    }

    /// How `list` orders tickets; ties by creation time, then id.
    public enum Sort: String, Sendable, CaseIterable {
        /// Oldest first.
        case created
        /// Urgent first.
        case priority
        /// pending, in_progress, resolved, closed.
        case status
    }

    /// A listed ticket and its file.
    public struct Listed: Sendable {
        public var path: String
        public var record: TicketRecord

        public init(path: String, record: TicketRecord) {
            self.path = path
            self.record = record
        }
    }

    /// Every ticket matching `filter`, in `sort` order, each record complete.
    public func list(_ filter: Filter, sort: Sort = .created) throws -> [Listed] {
        try listing(filter, sort: sort).tickets
    }

    /// The tickets `filter` selects, in `sort` order, and every ticket file
    /// that cannot be read as a ticket, each problem at its place: none is
    /// skipped without a word.
    public struct Listing: Sendable {
        public var tickets: [Listed]
        /// Ticket files that do not read, and ticket-like files at no ticket's path.
        public var problems: [Diagnostic]
        /// Files that read but share an id (or one differing only in case):
        /// `list`, pull and push report them, and none is picked.
        public var duplicates: [Diagnostic] = []
    }

    /// - Parameter complete: every listed record whole; when false, a
    ///   ticket unchanged since the last list may come as a summary (id,
    ///   agent, channel, created_at, team fields, tags and the start of
    ///   its reason, which is what the table prints), from the list cache
    ///   (`TicketListCache`) instead of its file.
    public func listing(_ filter: Filter, sort: Sort = .created, complete: Bool = true) throws -> Listing {
        tickets.finishInterruptedCheckoutWhenIdle()
        struct Found {
            var listed: Listed?
            var line: TicketListCache.Line?
            var problems: [Diagnostic] = []
            /// Answered by the cache, which then needs no rewrite for it.
            var fromCache = false
        }
        // Taken before any file is looked at: an entry is trusted only for
        // files that had stopped changing before this run began.
        let started = TicketListCache.nowNanoseconds()
        let workingTree = tickets.followsWorkingTree && tickets.repository.workdir != nil
        let gitDirectory = tickets.repository.gitDirectory
        let readCache = { TicketListCache.read(gitDirectory: gitDirectory, kind: workingTree ? .workingTree : .blobs) }
        let codec = tickets.codec
        /// A file read and parsed the long way.
        func parse(_ path: String, _ bytes: [UInt8], key: TicketListCache.FileKey?) -> Found {
            let (record, diagnostics) = codec.decode(bytes, path: path)
            // A file with errors is reported and not listed, as push and show treat it.
            let errors = diagnostics.filter { $0.severity == .error }
            guard let record, errors.isEmpty else { return Found(problems: errors) }
            // One row for the cache line and, without `complete`, the
            // summary the cache would answer with: the whole record is
            // dropped here, not held to the end.
            let row = TicketListCache.Row(record)
            let listed = complete ? record : row.summary(of: record)
            return Found(
                listed: filter.matches(record) ? Listed(path: path, record: listed) : nil,
                line: key.map { .made(row.line(path: path, key: $0.description)) })
        }
        /// A file the cache knows unchanged: its summary, or its whole record when asked.
        /// `path` is made only for a ticket listed or read.
        func cached(
            _ path: @autoclosure () -> String, _ entry: TicketListCache.Entry, key: TicketListCache.FileKey,
            read: () -> [UInt8]?
        ) -> Found? {
            // A line whose fields do not read back (damaged) is no answer: the file is read.
            guard entry.isWhole else { return nil }
            guard filter.matches(entry) else { return Found(line: .kept(entry.line), fromCache: true) }
            guard complete else {
                guard let summary = entry.record else { return nil }
                return Found(
                    listed: Listed(path: path(), record: summary), line: .kept(entry.line), fromCache: true)
            }
            return read().map {
                var found = parse(path(), $0, key: key)
                if case .made(let bytes)? = found.line, entry.isLine(bytes) {
                    found.line = .kept(entry.line)
                    found.fromCache = true
                }
                return found
            }
        }
        // Files are taken in runs, each gathered on its own core; a run keeps
        // only what it lists and caches, never a result per file.
        struct Gathered {
            /// Each taken (moved, not copied) once the order is known.
            var listed: [Listed?] = []
            var problems: [Diagnostic] = []
            var lines: [TicketListCache.Line] = []
            var changed = false

            mutating func add(_ found: Found?) {
                guard let found else { return }
                if let ticket = found.listed { listed.append(ticket) }
                problems += found.problems
                if let line = found.line { lines.append(line) }
                changed = changed || !found.fromCache
            }
        }
        // `visit` is given the run's place in the cache (`TicketListCache.entry`).
        func gather<Item>(_ items: [Item], _ visit: (Item, inout Int) -> Found?) -> [Gathered?] {
            let runs = Swift.min(items.count, ProcessInfo.processInfo.activeProcessorCount * 8)
            return concurrentMap(Array(0..<runs)) { run -> Gathered in
                var gathered = Gathered()
                var next = 0
                for index in (items.count * run / runs)..<(items.count * (run + 1) / runs) {
                    gathered.add(visit(items[index], &next))
                }
                return gathered
            }
        }
        // Nil when there is nothing to look at (a branch without commits):
        // the cache is then left as it is.
        var gathered: [Gathered?]?
        let cache: TicketListCache
        /// Ticket-like files beside the tickets that nothing reads (`T-1.yml`).
        var stray: [String] = []
        /// Ticket files sharing an id (or one differing only in case), by path.
        var twins: [[String]] = []
        if workingTree, let workdir = tickets.repository.workdir {
            // What the user sees: the working tree. Each folder is opened
            // once and its files looked at by name, not by path; the cache
            // is read meanwhile.
            let scanned: (folders: [(folder: String, names: [String])], misplaced: [String])
            (scanned, cache) = concurrently({ Self.workingTreeTickets(in: workdir) }, readCache)
            let (folders, misplaced) = scanned
            stray = misplaced
            // A handle per folder while there are few (a month each); past
            // that, by path, leaving the process's descriptors for the reads.
            let handles = folders.map {
                folders.count <= 64 ? open(workdir + "/" + $0.folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1
            }
            let reader = RepositoryFile.Reader(root: workdir)
            defer { for handle in handles where handle >= 0 { close(handle) } }
            let files = folders.indices.flatMap { folder in folders[folder].names.map { (folder, $0) } }
            // Twins are found on a thread of their own while the files are looked at.
            (gathered, twins) = concurrently(
                {
                    gather(files) { file, next -> Found? in
                        let (folder, name) = file
                        // Made when the file is listed or read, not for each file looked up.
                        var filePath: String { folders[folder].folder + "/" + name }
                        func read() -> Result<[UInt8], RepositoryFile.Failure> {
                            reader.read(workdir + "/" + filePath, limit: TicketStore.workingCopyLimit)
                        }
                        let key =
                            handles[folder] >= 0
                            ? TicketListCache.FileKey(folder: handles[folder], name: name)
                            : TicketListCache.FileKey(folder: AT_FDCWD, name: workdir + "/" + filePath)
                        if let key,
                            let entry = cache.entry(in: folders[folder].folder, name: name, key: key, next: &next),
                            let found = cached(filePath, entry, key: key, read: { try? read().get() })
                        {
                            return found
                        }
                        let path = filePath
                        switch read() {
                        case .success(let bytes): return parse(path, bytes, key: key)
                        case .failure(let failure):
                            let location = SourceLocation(file: path, line: 1, column: 1)
                            return Found(
                                problems: [Diagnostic(.fileUnreadable, at: location, failure.description)])
                        }
                    }
                }, { TicketAudit.sameID(folders.map { ($0.folder + "/", $0.names) }) })
        } else if let tip = try tickets.tip() {
            cache = readCache()
            // One libgit2 handle reads the blobs a summary cannot answer for; the parsing is spread.
            let repository = tickets.repository
            let all = try tickets.filesUnderTicketFolders(at: tip)
            let files = all.filter { TicketPaths.kind(ofPath: $0.path) == .ticket }
            twins = TicketAudit.sameID(files.map(\.path))
            stray = all.map(\.path).filter { TicketPaths.kind(ofPath: $0) == .misplacedTicket }
            let lock = NSLock()
            gathered = gather(files) { file, next -> Found? in
                let read = { () -> [UInt8]? in lock.withLock { try? repository.blob(file.blob) } }
                let key = TicketListCache.FileKey(blob: file.blob.hex)
                if let entry = cache.entry(for: file.path, key: key, next: &next),
                    let found = cached(file.path, entry, key: key, read: read)
                {
                    return found
                }
                guard let bytes = read() else {
                    let location = SourceLocation(file: file.path, line: 1, column: 1)
                    return Found(
                        problems: [Diagnostic(.fileUnreadable, at: location, "the file cannot be read from git")])
                }
                return parse(file.path, bytes, key: key)
            }
        } else {
            cache = TicketListCache()
            gathered = nil
        }
        // Each run's tickets stay where the run put them until they are
        // taken in order; the runs alone hold them, so each is moved out.
        let looked = gathered != nil
        var runs: [Gathered] = []
        for case let run? in gathered.take() ?? [] { runs.append(run) }
        var problems: [Diagnostic] = []
        var lines: [TicketListCache.Line] = []
        var changed = false
        for run in runs {
            problems += run.problems
            lines += run.lines
            changed = changed || run.changed
        }
        problems += stray.map(TicketAudit.misplacedTicket)
        // Rewritten when a file was read the long way or one went away.
        if looked, changed || lines.count != cache.count {
            cache.write(lines, now: started)
        }
        let rank: (TicketRecord) -> Int
        switch sort {
        case .created: rank = { _ in 0 }
        case .priority: rank = { Priority.allCases.count - Priority.allCases.firstIndex(of: $0.priority)! }
        case .status: rank = { TicketStatus.allCases.firstIndex(of: $0.status)! }
        }
        // Sorted by keys made once each: a ticket record is large to move
        // around, or to copy into a comparison. A key's creation time comes
        // first as numbers that order as its first 24 bytes do (the whole
        // of `YYYY-MM-DDTHH:MM:SSZ`), so that text is compared only when
        // they are equal. Each key ends with where its ticket is: its run,
        // then its place in the run.
        struct Key {
            var rank: Int
            var time: (UInt64, UInt64, UInt64)
            var createdAt: String
            var id: String
            var run: Int
            var index: Int
        }
        var keys: [Key] = []
        keys.reserveCapacity(runs.reduce(0) { $0 + $1.listed.count })
        for number in runs.indices {
            for index in runs[number].listed.indices {
                let record = runs[number].listed[index]!.record
                keys.append(
                    Key(
                        rank: rank(record), time: Self.orderedPrefix(record.createdAt), createdAt: record.createdAt,
                        id: record.id, run: number, index: index))
            }
        }
        let order = keys.sorted { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            if a.time != b.time { return a.time < b.time }
            return a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id
        }
        var listed: [Listed] = []
        listed.reserveCapacity(order.count)
        for key in order { listed.append(runs[key.run].listed[key.index].take()!) }
        // `tickets set` and `show` would take the first of two.
        return Listing(
            tickets: listed, problems: problems.sorted { $0.location < $1.location },
            duplicates: TicketAudit.duplicates(twins))
    }

    /// The first 24 bytes of `text` as numbers that order as the bytes do
    /// (bytes past its end count as zeros): equal numbers say only that
    /// those bytes are equal.
    private static func orderedPrefix(_ text: String) -> (UInt64, UInt64, UInt64) {
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for (offset, byte) in text.utf8.prefix(24).enumerated() {
            let bits = UInt64(byte) << (56 - 8 * (offset % 8))
            switch offset / 8 {
            case 0: words.0 |= bits
            case 1: words.1 |= bits
            default: words.2 |= bits
            }
        }
        return words
    }

    /// The folders `tickets/<YYYY>/<MM>` in the working tree, each with the
    /// names of its ticket files, and the ticket-like files anywhere under
    /// tickets/ that are not at a ticket's path (`T-1.yml`, `T-1.YAML`,
    /// `tickets/2026/1/T-1.yaml`, `tickets/T-1.yaml`, `Tickets/2026/01/T-1.yaml`),
    /// as a bare repository's listing reports them.
    private static func workingTreeTickets(in workdir: String) -> (
        folders: [(folder: String, names: [String])], misplaced: [String]
    ) {
        let manager = FileManager.default
        /// The entries of the folder at `path` (from the root), nil for a file.
        func entries(_ path: String) -> [String]? {
            try? manager.contentsOfDirectory(atPath: workdir + "/" + path)
        }
        /// Every ticket-like file at or below `path`, which is no ticket's
        /// place. A symbolic link is looked at as a file, never followed (a
        /// link to `.` or `/` would make the walk endless), and the walk
        /// stops 16 folders down.
        func ticketLike(_ path: String, depth: Int = 0, into misplaced: inout [String]) {
            let type = (try? manager.attributesOfItem(atPath: workdir + "/" + path))?[.type] as? FileAttributeType
            if type == .typeDirectory, depth < 16, let names = entries(path) {
                for name in names { ticketLike(path + "/" + name, depth: depth + 1, into: &misplaced) }
            } else if TicketPaths.kind(ofPath: path) == .misplacedTicket {
                misplaced.append(path)
            }
        }
        var misplaced: [String] = []
        // Another case of tickets/ (`Tickets/`) is read by nothing, yet a
        // case-insensitive checkout folds it into tickets/: its files are said.
        for name in entries("") ?? [] where name != TicketPaths.folder && TicketPaths.isFolder(inAnyCase: name) {
            ticketLike(name, into: &misplaced)
        }
        var months: [String] = []
        for year in entries(TicketPaths.folder) ?? [] {
            let yearPath = TicketPaths.folder + "/" + year
            // The cursor's folder holds the cursor alone.
            if yearPath == TicketStore.legacyCursorPath { continue }
            guard let names = entries(yearPath) else {
                ticketLike(yearPath, into: &misplaced)
                continue
            }
            months += names.map { yearPath + "/" + $0 }
        }
        // The month folders, in the order of paths, each listed on a core of its own.
        months.sort()
        let listed = concurrentMap(months) { folder -> (names: [String], misplaced: [String]) in
            var misplaced: [String] = []
            guard let files = entries(folder) else {
                ticketLike(folder, into: &misplaced)
                return ([], misplaced)
            }
            // The folder's place is checked once, then each name alone.
            let isTicketFolder = TicketPaths.kind(ofPath: folder + "/T.yaml") == .ticket
            var names: [String] = []
            for name in files {
                if isTicketFolder, name.hasSuffix(".yaml"), TicketPaths.isSafeID(String(name.dropLast(5))) {
                    names.append(name)
                } else {
                    ticketLike(folder + "/" + name, into: &misplaced)
                }
            }
            // In the order of paths, as the list cache is: each is found next to the last.
            return (names.sorted(), misplaced)
        }
        var folders: [(folder: String, names: [String])] = []
        for (folder, found) in zip(months, listed) {
            guard let found else { continue }
            if !found.names.isEmpty { folders.append((folder, found.names)) }
            misplaced += found.misplaced
        }
        return (folders, misplaced)
    }

    /// The path of ticket `id`: its file at `tickets/YYYY/MM/<id>.yaml`, as
    /// `list` finds it: in the working tree of a checked-out branch (a new
    /// file not yet committed included), else at the branch tip. A file
    /// elsewhere under tickets/ is no ticket (nothing reads it); two files
    /// with the id are refused, never one picked.
    public func path(of id: String) throws -> String {
        guard TicketPaths.isSafeID(id) else { throw TicketCommandError.unknownTicket(id) }
        var found: [String] = []
        if tickets.followsWorkingTree, let workdir = tickets.repository.workdir {
            found = Self.workingTreePaths(of: id, workdir: workdir)
        }
        // Not in the working tree (deleted there, or no checkout): the branch's.
        if found.isEmpty, let tip = try tickets.tip() {
            found = try tickets.repository.files(under: TicketPaths.folder, in: tip).map(\.path).filter {
                TicketPaths.ticketFile($0)?.id == Substring(id)
            }
        }
        guard let path = found.first else { throw TicketCommandError.unknownTicket(id) }
        guard found.count == 1 else { throw TicketCommandError.duplicateTicket(id, found) }
        return path
    }

    /// `tickets/YYYY/MM/<id>.yaml` in the working tree, in each folder there.
    private static func workingTreePaths(of id: String, workdir: String) -> [String] {
        let files = FileManager.default
        let folders = { (path: String) in
            ((try? files.contentsOfDirectory(atPath: workdir + "/" + path)) ?? []).sorted()
        }
        var found: [String] = []
        for year in folders(TicketPaths.folder) {
            for month in folders(TicketPaths.folder + "/" + year) {
                let path = TicketPaths.folder + "/" + year + "/" + month + "/" + id + ".yaml"
                if TicketPaths.ticketFile(path) != nil, files.fileExists(atPath: workdir + "/" + path) {
                    found.append(path)
                }
            }
        }
        return found
    }

    /// The ticket file's text: the working-tree copy when there is one.
    /// The file's text, its record, and the errors that keep it from
    /// reading as a ticket, at their places (`list` leaves such a file out).
    public func show(_ id: String) throws -> (
        path: String, text: String, record: TicketRecord?, problems: [Diagnostic]
    ) {
        tickets.finishInterruptedCheckoutWhenIdle()
        let path = try path(of: id)
        if tickets.followsWorkingTree, let workdir = tickets.repository.workdir,
            case .failure(let failure) = RepositoryFile.read(
                workdir + "/" + path, root: workdir, limit: TicketStore.workingCopyLimit),
            FileManager.default.fileExists(atPath: workdir + "/" + path)
                || (try? FileManager.default.destinationOfSymbolicLink(atPath: workdir + "/" + path)) != nil
        {
            let location = SourceLocation(file: path, line: 1, column: 1)
            return (path, "", nil, [Diagnostic(.fileUnreadable, at: location, failure.description)])
        }
        let bytes = try tickets.workingCopy(path) ?? tickets.bytes(at: path, in: tickets.tip()) ?? []
        let (record, diagnostics) = tickets.codec.decode(bytes, path: path)
        return (
            path, String(decoding: bytes, as: UTF8.self), record,
            diagnostics.filter { $0.severity == .error }
        )
    }

    /// The ticket as the branch holds it (never the working tree's copy);
    /// nil when its file there does not read.
    public func committed(_ id: String) throws -> TicketRecord? {
        let path = try path(of: id)
        guard let bytes = try tickets.bytes(at: path, in: tickets.tip()) else { return nil }
        return tickets.codec.decode(bytes, path: path).record
    }

    public struct HistoryEntry: Sendable {
        public var commit: ObjectID
        public var author: Signature
        public var message: String
        public var changes: [FieldChange]
    }

    public struct FieldChange: Sendable, Hashable, Encodable {
        public var field: String
        /// Nil when the field is absent on that side; JSON carries the value as it is.
        public var oldValue: YAMLValue?
        public var newValue: YAMLValue?
        /// Whether the values are already their kinds (`(sealed)`), as an
        /// erased ticket's customer data is shown: not described again.
        public var described = false

        /// The values on one line, for text.
        public var old: String? { oldValue?.oneLine }
        public var new: String? { newValue?.oneLine }

        enum CodingKeys: String, CodingKey {
            case field
            case oldValue = "old"
            case newValue = "new"
        }
    }

    /// Every commit that changed the ticket, newest first, with its field changes.
    public func history(_ id: String) throws -> (path: String, entries: [HistoryEntry]) {
        let path = try path(of: id)
        guard let tip = try tickets.tip() else { return (path, []) }
        let repository = tickets.repository
        // The history index is kept beside the list cache, never committed.
        // Full history: a merge that took one side's value over the other's
        // changed the ticket, and the side it discarded is history too.
        let changes = try repository.changes(
            of: path, from: tip, index: repository.gitDirectory + "/supportsync/history-index", fullHistory: true)
        let commits = changes.map(\.commit)
        // Each version of the file is parsed once (a commit's "before" is
        // mostly the previous entry's "after"), the versions on every core.
        var versions: [[UInt8]] = []
        var numbers: [FileBytes: Int] = [:]
        func number(_ bytes: [UInt8]?) -> Int? {
            guard let bytes else { return nil }
            if let known = numbers[FileBytes(bytes: bytes)] { return known }
            versions.append(bytes)
            numbers[FileBytes(bytes: bytes)] = versions.count - 1
            return versions.count - 1
        }
        var pairs: [(old: Int?, new: Int?)] = []
        /// The file's bytes at an entry the walk found; a folder or a
        /// submodule there fails as reading it by path does.
        func bytes(_ entry: Repository.PathEntry?, in commit: ObjectID?) throws -> [UInt8]? {
            guard let entry, let commit else { return nil }
            return entry.isBlob ? try repository.blob(entry.id) : try repository.blob(at: path, in: commit)
        }
        for change in changes {
            let new = number(try bytes(change.after, in: change.commit.id))
            let old = number(try bytes(change.before, in: change.commit.parents.first))
            pairs.append((old, new))
        }
        let codec = tickets.codec
        let records = concurrentMap(versions) { codec.decode($0, path: path).record }
        // An erased ticket's customer data, in the versions before its
        // erasure, is shown by its kind only: git keeps it (plain history is
        // out of erasure's reach), but no command prints it again. Any
        // erased version counts: the newest commit may have removed the file.
        let erased = records.contains { $0?.erasure != nil }
        let entries = zip(commits, pairs).map { commit, pair in
            let changes = Self.changes(from: pair.old.flatMap { records[$0] }, to: pair.new.flatMap { records[$0] })
            return HistoryEntry(
                commit: commit.id, author: commit.author, message: commit.message,
                changes: erased ? Self.customerDataDescribed(changes) : changes)
        }
        return (path, entries)
    }

    /// `changes` with each customer-data value (reason, summary, customer,
    /// fields) replaced by its kind (`TicketAudit.described`): what the
    /// commands print of an erased ticket's earlier versions.
    static func customerDataDescribed(_ changes: [FieldChange]) -> [FieldChange] {
        changes.map { change in
            guard let field = TicketRecord.Field(rawValue: change.field), TicketAudit.customerData.contains(field)
            else { return change }
            var described = change
            described.oldValue = change.oldValue.map(TicketAudit.described)
            described.newValue = change.newValue.map(TicketAudit.described)
            described.described = true
            return described
        }
    }

    static func changes(from old: TicketRecord?, to new: TicketRecord?) -> [FieldChange] {
        TicketRecord.Field.allCases.compactMap { field in
            // `erasure` is written only once there is one: absent is no value, not null.
            let present = { (record: TicketRecord) in field != .erasure || record.erasure != nil }
            let before = old.flatMap { present($0) ? $0.value(of: field) : nil }
            let after = new.flatMap { present($0) ? $0.value(of: field) : nil }
            return before == after ? nil : FieldChange(field: field.rawValue, oldValue: before, newValue: after)
        }
    }

}

/// A file's bytes as a dictionary key, hashed in one go rather than byte by byte.
private struct FileBytes: Hashable {
    var bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension TicketConflict {
    /// The three values, each on one line, for messages.
    public var rendered: (base: String?, git: String, platform: String) {
        (base?.oneLine, git.oneLine, platform.oneLine)
    }

    /// `status: was pending, git in_progress, platform resolved`, then the
    /// command that settles it, for ticket `id`.
    public func describe(id: String) -> String {
        let values = rendered
        return "\(field.rawValue): was \(values.base ?? "(no base)"), git \(values.git), platform \(values.platform); "
            + "settle it with: \(resolveCommand(id: id))"
    }

    /// `supportsync tickets resolve ID --field F --keep git|platform`
    public func resolveCommand(id: String) -> String {
        "supportsync tickets resolve \(id) --field \(field.rawValue) --keep git|platform"
    }
}

extension TicketQueries {
    /// What a pull request does to one ticket: its net change from where the
    /// branch left `base` to `head`.
    public struct TicketChange: Sendable, Encodable {
        public enum Kind: String, Sendable, Encodable {
            case added, modified, deleted
        }

        public var id: String
        public var path: String
        public var kind: Kind
        /// The field changes, in file order; empty for a file that cannot be read.
        public var changes: [FieldChange]
        /// Whether the file as `head` has it reads as a ticket.
        public var readable: Bool
    }

    /// The net change to every ticket file between the merge base of `base`
    /// and `head`, and `head` (`git diff base...head -- tickets/`), so the
    /// commits `base` gained meanwhile (the sync job's pulls) do not show.
    public static func diff(
        in repository: Repository, base: String, head: String, codec: TicketCodec = TicketCodec()
    ) throws -> [TicketChange] {
        let baseID = try repository.commit(named: base)
        let headID = try repository.commit(named: head)
        let from = try repository.mergeBase(baseID, headID) ?? baseID
        let files = try repository.changes(from: from, to: headID, under: TicketPaths.folder + "/")
        return try files.filter { $0.path.hasSuffix(".yaml") }.map { change in
            let old = try change.oldBlob.map { try repository.blob($0) }.flatMap {
                codec.decode($0, path: change.path).record
            }
            let newBytes = try change.newBlob.map { try repository.blob($0) }
            let new = newBytes.flatMap { codec.decode($0, path: change.path).record }
            let name = (change.path as NSString).lastPathComponent
            let kind: TicketChange.Kind =
                switch change.kind {
                case .added: .added
                case .modified: .modified
                case .deleted: .deleted
                }
            // An erased ticket's earlier customer data is never printed again
            // (as `history`): in plain text it is still in the old version.
            var changes = (newBytes != nil && new == nil) ? [] : Self.changes(from: old, to: new)
            if old?.erasure != nil || new?.erasure != nil { changes = Self.customerDataDescribed(changes) }
            return TicketChange(
                id: new?.id ?? old?.id ?? String(name.dropLast(".yaml".count)), path: change.path, kind: kind,
                changes: changes, readable: newBytes == nil || new != nil)
        }
    }
}
