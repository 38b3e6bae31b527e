import Foundation
import Git
import SupportSync
import SupportSyncGit
import YAML

/// How the ticket commands print their results.
public enum TicketOutput {
    public static func text(_ report: TicketPuller.Report) -> String {
        var output = ""
        if !report.problems.isEmpty {
            output += DiagnosticFormatter.text(DiagnosticReport(files: 0, diagnostics: report.problems))
        }
        for warning in report.warnings { output += "warning: \(warning)\n" }
        for (id, reason) in report.skipped { output += "skipped \(id): \(reason)\n" }
        for (id, conflict) in report.conflicts { output += "conflict \(id): \(conflict.describe(id: id))\n" }
        if !report.new.isEmpty { output += "new: \(IDList.capped(report.new, separator: " "))\n" }
        if !report.updated.isEmpty { output += "updated: \(IDList.capped(report.updated, separator: " "))\n" }
        // A pull that skipped tickets did not find "nothing new": what it
        // skipped is waiting, and the lines above say why.
        let skipped = report.skipped.isEmpty ? "" : ", \(report.skipped.count) skipped"
        // Conflicts (found now, or still open) are what exit 1 is for: counted here too.
        let conflicts =
            report.conflicts.isEmpty
            ? "" : ", \(plural(Set(report.conflicts.map(\.id)).count, "ticket")) in conflict"
        output +=
            "tickets pull: \(report.new.count) new, \(report.updated.count) updated\(skipped)\(conflicts) in \(report.commits.count) commit\(report.commits.count == 1 ? "" : "s")"
        if !report.commits.isEmpty {
            output += " (\(report.commits.map { String($0.hex.prefix(8)) }.joined(separator: ", ")))\n"
        } else {
            output += skipped.isEmpty && conflicts.isEmpty ? " (nothing new)\n" : " (nothing committed)\n"
        }
        return output
    }

    public static func text(_ report: TicketPusher.Report) -> String {
        var output = ""
        for id in report.pushed { output += "pushed \(id)\n" }
        for (id, conflict) in report.conflicts { output += "conflict \(id): \(conflict.describe(id: id))\n" }
        // One line a reason (JSON lists each ticket).
        for (ids, reason) in report.failedByReason { output += "failed \(IDList.capped(ids)): \(reason)\n" }
        if !report.problems.isEmpty {
            output += DiagnosticFormatter.text(DiagnosticReport(files: 0, diagnostics: report.problems))
            output +=
                "not pushed: \(plural(Set(report.problems.map(\.location.file)).count, "ticket file")) with the errors above; fix them and push again\n"
        }
        if let notSent = report.notSent { output += "note: \(notSent)\n" }
        output +=
            "tickets push: \(report.pushed.count) pushed, \(plural(report.conflicts.count, "conflict")), \(report.failed.count) failed\n"
        return output
    }

    public static func text(_ result: TicketEditor.Result) -> String {
        guard !result.changes.isEmpty else { return "\(result.id): nothing to change (\(result.path))\n" }
        var output = "\(result.id) (\(result.path)):\n"
        for change in result.changes {
            output += "  \(change.field): \(change.old ?? "(none)") -> \(change.new ?? "(none)")\n"
        }
        output +=
            result.commit.map { "committed \($0.hex.prefix(8))\n" }
            ?? "written to the working tree; commit it, or run again with --commit\n"
        return output
    }

    public static func json(_ result: TicketEditor.Result) -> String {
        struct Document: Encodable {
            var id, path: String
            var changes: [TicketQueries.FieldChange]
            @JSONNull var commit: String?
        }
        return JSONDocument.render(
            Document(id: result.id, path: result.path, changes: result.changes, commit: result.commit?.hex))
    }

    /// `tickets list`'s table. Each ticket's fields are read where the
    /// listing holds them: no record is copied.
    public static func table(_ listed: [TicketQueries.Listed]) -> String {
        guard !listed.isEmpty else { return "" }
        let header = ["ID", "STATUS", "PRIORITY", "AGENT", "CREATED", "ASSIGNEE", "REASON"]
        let columns = header.count
        // Row after row, one list of cells, each with its width.
        var cells = header
        cells.reserveCapacity((listed.count + 1) * columns)
        for index in listed.indices {
            // The assignee and the reason are anybody's text: escaped for the terminal.
            cells.append(listed[index].record.id)
            cells.append(listed[index].record.status.rawValue)
            cells.append(listed[index].record.priority.rawValue)
            cells.append(listed[index].record.agent)
            cells.append(listed[index].record.createdAt)
            cells.append(PrintableText.escaping(listed[index].record.assignee ?? "-"))
            cells.append(
                PrintableText.escaping(
                    TicketRecord.tableReason(
                        listed[index].record.reason, erased: listed[index].record.erasure != nil)))
        }
        // A cell of printable ASCII is as wide as its bytes; any other is
        // counted by characters. The last column is not padded.
        var cellWidths = [Int](repeating: 0, count: cells.count)
        var widths = [Int](repeating: 0, count: columns - 1)
        for index in cells.indices where index % columns < columns - 1 {
            var cell = cells[index]
            let width = cell.withUTF8 { bytes in
                bytes.allSatisfy { (0x20...0x7E).contains($0) } ? bytes.count : nil
            }
            cellWidths[index] = width ?? cell.count
            widths[index % columns] = max(widths[index % columns], cellWidths[index])
        }
        var output: [UInt8] = []
        output.reserveCapacity(cells.count / columns * (widths.reduce(0, +) + 2 * widths.count + 62))
        for index in cells.indices {
            var cell = cells[index]
            cell.withUTF8 { output.append(contentsOf: $0) }
            let column = index % columns
            if column < columns - 1 {
                output += repeatElement(UInt8(ascii: " "), count: widths[column] - cellWidths[index] + 2)
            } else {
                output.append(UInt8(ascii: "\n"))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public static func text(_ entries: [TicketQueries.HistoryEntry], path: String) -> String {
        var output = "# \(path)\n"
        for entry in entries {
            output += "\ncommit \(entry.commit.hex)\n"
            // A commit's author and message are anybody's text: escaped for the terminal.
            output +=
                "Author: \(PrintableText.escaping(entry.author.name)) <\(PrintableText.escaping(entry.author.email))>\n"
            output += "Date:   \(TicketTimestamp.text(entry.author.date))\n"
            output += "\n    \(PrintableText.escaping(String(entry.message.split(separator: "\n").first ?? "")))\n\n"
            for change in entry.changes {
                let old = change.old.map(SealedValue.abbreviated) ?? "(none)"
                let new = change.new.map(SealedValue.abbreviated) ?? "(deleted)"
                output += "    \(change.field): \(old) -> \(new)\n"
            }
        }
        return output
    }

    // MARK: - JSON

    /// `tickets show`: the ticket and its path.
    /// `tickets show`: the ticket, its path, and why its file does not
    /// validate (`diagnostics`, left out when it does).
    public static func json(shown record: TicketRecord, path: String, diagnostics: [Diagnostic] = []) -> String {
        struct Document<Entries: Encodable>: Encodable {
            var path: String
            var ticket: TicketRecord
            var diagnostics: Entries?
        }
        return JSONDocument.render(
            Document(
                path: path, ticket: record,
                diagnostics: diagnostics.isEmpty ? nil : DiagnosticFormatter.jsonEntries(diagnostics)))
    }

    /// `tickets list`: each ticket as its file holds it, with its path.
    public static func json(
        _ listed: [TicketQueries.Listed], conflicts: ConflictLedger? = nil, diagnostics: [Diagnostic] = []
    ) -> String {
        var document = ""
        writeJSON(listed, conflicts: conflicts, diagnostics: diagnostics) { document += $0 }
        return document
    }

    /// `tickets list` as `json(_:conflicts:)` prints it, byte for byte,
    /// handed to `write` in pieces of about 64 KiB: 256 tickets are encoded
    /// at a time, never the whole document (100,000 tickets make 125 MB of
    /// JSON, which took over 700 MiB to encode as one value).
    /// Files under tickets/ that do not read as tickets are `diagnostics`,
    /// first (the members are sorted), left out when there are none.
    public static func writeJSON(
        _ listed: [TicketQueries.Listed], conflicts: ConflictLedger? = nil, diagnostics: [Diagnostic] = [],
        to write: (String) -> Void
    ) {
        guard !listed.isEmpty else {
            struct Empty<Entries: Encodable>: Encodable {
                var diagnostics: Entries?
                var tickets: [ListedJSON] = []
            }
            write(
                JSONDocument.render(
                    Empty(diagnostics: diagnostics.isEmpty ? nil : DiagnosticFormatter.jsonEntries(diagnostics))))
            return
        }
        // The document's members sorted, as the encoder sorts them. The
        // tickets go to the encoder 256 at a time, as a list of their own:
        // without its brackets, that list is the document's, one level
        // shallower (JSON strings hold no newline, so each line of it is
        // indented, but for the empty line the encoder writes inside an
        // empty list or object).
        let encoder = JSONCoding.encoder(pretty: true)
        encoder.userInfo[JSONCoding.outputDocument] = true
        let newline = UInt8(ascii: "\n")
        let space = UInt8(ascii: " ")
        var piece = Array("{\n".utf8)
        if !diagnostics.isEmpty, let data = try? encoder.encode(DiagnosticFormatter.jsonEntries(diagnostics)) {
            // One level deeper than the encoder wrote it.
            piece += Array("  \"diagnostics\" : ".utf8)
            for byte in data {
                piece.append(byte)
                if byte == newline { piece += [space, space] }
            }
            piece += Array(",\n".utf8)
        }
        piece += Array("  \"format_version\" : \(JSONDocument.formatVersion),\n  \"tickets\" : [\n".utf8)
        for start in stride(from: 0, to: listed.count, by: 256) {
            let entries = listed[start..<min(start + 256, listed.count)].map { item in
                ListedJSON(
                    listed: item,
                    conflicts: conflicts.map { ledger in
                        (ledger.tickets[item.record.id] ?? []).compactMap(\.conflict).map {
                            conflictJSON((item.record.id, $0))
                        }
                    })
            }
            guard let data = try? encoder.encode(entries) else {
                preconditionFailure("a ticket read from its file encodes: it holds only strings and lists of them")
            }
            if start > 0 { piece += Array(",\n".utf8) }
            // "[\n" ... "\n]" around the tickets.
            var lineStarts = true
            for byte in data.dropFirst(2).dropLast(2) {
                if lineStarts && byte != newline { piece += [space, space] }
                piece.append(byte)
                lineStarts = byte == newline
            }
            if piece.count >= 1 << 16 {
                write(String(decoding: piece, as: UTF8.self))
                piece.removeAll(keepingCapacity: true)
            }
        }
        write(String(decoding: piece, as: UTF8.self) + "\n  ]\n}\n")
    }

    /// One ticket of `tickets list`: its file's fields, its path, and with
    /// `--conflicts` its conflicts.
    struct ListedJSON: Encodable {
        var listed: TicketQueries.Listed
        var conflicts: [ConflictJSON]?

        enum CodingKeys: String, CodingKey { case path, conflicts }

        func encode(to encoder: any Encoder) throws {
            try listed.record.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(listed.path, forKey: .path)
            if let conflicts { try container.encode(conflicts, forKey: .conflicts) }
        }
    }

    /// `tickets history`: the ticket's path and its commits, newest first.
    public static func json(_ entries: [TicketQueries.HistoryEntry], id: String, path: String) -> String {
        struct Entry: Encodable {
            var commit, author, email, date, message: String
            var changes: [TicketQueries.FieldChange]
        }
        struct Document: Encodable {
            var id, path: String
            var commits: [Entry]
        }
        return JSONDocument.render(
            Document(
                id: id, path: path,
                commits: entries.map {
                    Entry(
                        commit: $0.commit.hex, author: $0.author.name, email: $0.author.email,
                        date: TicketTimestamp.text($0.author.date), message: $0.message, changes: $0.changes)
                }))
    }

    struct ConflictJSON: Encodable {
        var id, field: String
        /// JSON values as the file holds them; `base` null also when there is no base.
        @JSONNull var base: YAMLValue?
        var git, platform: YAMLValue
        var resolve: String
    }

    public static func json(_ report: TicketPuller.Report) -> String {
        struct Document<Problem: Encodable>: Encodable {
            var new, updated, commits, warnings: [String]
            var skipped: [[String: String]]
            var conflicts: [ConflictJSON]
            var diagnostics: [Problem]
        }
        return JSONDocument.render(
            Document(
                new: report.new, updated: report.updated, commits: report.commits.map(\.hex), warnings: report.warnings,
                skipped: report.skipped.map { ["id": $0.id, "reason": $0.reason] },
                conflicts: report.conflicts.map(conflictJSON),
                diagnostics: DiagnosticFormatter.jsonEntries(report.problems)))
    }

    /// `tickets erase --format json`.
    public struct Erased: Encodable {
        public var erased: [String]
        /// Tickets git holds erased already (erasing again changes nothing).
        public var alreadyErased: [String]
        /// The commit of the erasures, when the platform forgets erased tickets.
        public var commit: String?

        enum CodingKeys: String, CodingKey {
            case erased
            case alreadyErased = "already_erased"
            case commit
        }

        public init(erased: [String], alreadyErased: [String] = [], commit: String?) {
            self.erased = erased
            self.alreadyErased = alreadyErased
            self.commit = commit
        }
    }

    public static func json(_ report: TicketPusher.Report) -> String {
        struct Document<Problem: Encodable>: Encodable {
            var pushed: [String]
            var conflicts: [ConflictJSON]
            var failed: [[String: String]]
            var diagnostics: [Problem]
            var notSent: String?

            enum CodingKeys: String, CodingKey {
                case pushed, conflicts, failed, diagnostics
                case notSent = "not_sent"
            }
        }
        return JSONDocument.render(
            Document(
                pushed: report.pushed, conflicts: report.conflicts.map(conflictJSON),
                failed: report.failed.map { ["id": $0.id, "reason": $0.reason] },
                diagnostics: DiagnosticFormatter.jsonEntries(report.problems), notSent: report.notSent))
    }

    static func conflictJSON(_ item: (id: String, conflict: TicketConflict)) -> ConflictJSON {
        ConflictJSON(
            id: item.id, field: item.conflict.field.rawValue, base: item.conflict.base, git: item.conflict.git,
            platform: item.conflict.platform, resolve: item.conflict.resolveCommand(id: item.id))
    }

    public static func json(_ result: TicketResolver.Result) -> String {
        struct Document: Encodable {
            var id, path, kept: String
            var settled, remaining: [ConflictJSON]
            @JSONNull var commit: String?
        }
        return JSONDocument.render(
            Document(
                id: result.id, path: result.path, kept: result.kept.rawValue,
                settled: result.settled.map { conflictJSON((result.id, $0)) },
                remaining: result.remaining.map { conflictJSON((result.id, $0)) }, commit: result.commit?.hex))
    }

    /// `tickets seal` and `unseal`: what was rewritten, and which of those
    /// took an erasure made on the platform since the last pull.
    public static func text(_ report: TicketResealer.Report, verb: String) -> String {
        guard report.skipped.isEmpty else {
            return "nothing was written: every ticket file must be rewritten at once\n"
                + report.skipped.map { "skipped \(PrintableText.escaping($0.id)): \($0.reason)\n" }.joined()
        }
        var output =
            "\(verb): \(plural(report.rewritten.count, "ticket"))\(report.commit.map { " in \($0.hex.prefix(8))" } ?? "")\n"
        if !report.erased.isEmpty {
            output +=
                "erased on the platform since the last pull, written erased: \(IDList.capped(report.erased.map { PrintableText.escaping($0) }))\n"
        }
        return output
    }

    public static func json(_ report: TicketResealer.Report) -> String {
        struct Skipped: Encodable {
            var id, reason: String
        }
        struct Document: Encodable {
            var rewritten, erased: [String]
            var skipped: [Skipped]
            @JSONNull var commit: String?
        }
        return JSONDocument.render(
            Document(
                rewritten: report.rewritten, erased: report.erased,
                skipped: report.skipped.map { Skipped(id: $0.id, reason: $0.reason) }, commit: report.commit?.hex))
    }

    public static func text(_ result: TicketResolver.Result) -> String {
        guard !result.settled.isEmpty else { return "\(result.id): no conflict to resolve (\(result.path))\n" }
        var output = ""
        for conflict in result.settled {
            let values = conflict.rendered
            output +=
                "\(result.id) \(conflict.field.rawValue): kept \(result.kept.rawValue)'s \(result.kept == .git ? values.git : values.platform)"
                + (result.kept == .git ? " (sent to the platform)" : " (written to \(result.path))") + "\n"
        }
        for conflict in result.remaining { output += "still in conflict: \(conflict.describe(id: result.id))\n" }
        if let commit = result.commit {
            output += "committed \(commit.hex.prefix(8))\n"
        } else if result.kept == .platform {
            // list, push and the next pull read what is committed.
            output += "written to the working tree; commit it, or run again with --commit\n"
        }
        if let base = result.baseMoved { output += "moved the platform base (\(base.hex.prefix(8)))\n" }
        return output
    }
}
