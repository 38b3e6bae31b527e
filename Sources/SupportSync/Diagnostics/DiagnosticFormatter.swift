import Foundation

/// How a report is printed: `file:line:col: error: message [rule]`, GitHub
/// workflow commands, or one JSON document.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text
    case json
    case github
}

public enum DiagnosticFormatter {
    public static func format(_ report: DiagnosticReport, as format: OutputFormat) -> String {
        switch format {
        case .text: return text(report)
        case .github: return github(report)
        case .json: return json(report)
        }
    }

    /// One line per problem, compiler style, with hints and notes indented below.
    public static func text(_ report: DiagnosticReport) -> String {
        var output = ""
        // Keys, values and file names come from files anyone may write.
        let safe = { (text: String) in PrintableText.escaping(text) }
        for diagnostic in report.diagnostics {
            output +=
                "\(safe(diagnostic.location.description)): \(diagnostic.severity.rawValue): \(safe(diagnostic.message)) [\(diagnostic.rule.rawValue)]\n"
            if let hint = diagnostic.hint { output += "  hint: \(safe(hint))\n" }
            for note in diagnostic.notes {
                output += "  \(safe(note.location.description)): note: \(safe(note.message))\n"
            }
        }
        return output
    }

    /// One line of summary for the end of a text report.
    public static func summary(_ report: DiagnosticReport) -> String {
        return
            "\(plural(report.errorCount, "error")), \(plural(report.warningCount, "warning")) in \(plural(report.files, "file"))"
    }

    /// GitHub Actions annotations: `::error file=F,line=L,col=C,title=RULE::MESSAGE`.
    public static func github(_ report: DiagnosticReport) -> String {
        var output = ""
        for diagnostic in report.diagnostics {
            let command =
                diagnostic.severity == .error ? "error" : diagnostic.severity == .warning ? "warning" : "notice"
            let safe = { (text: String) in PrintableText.escaping(text) }
            var message = safe(diagnostic.message)
            if let hint = diagnostic.hint { message += "\nhint: \(safe(hint))" }
            for note in diagnostic.notes { message += "\n\(safe(note.location.description)): \(safe(note.message))" }
            let location = diagnostic.location
            output +=
                "::\(command) file=\(escapeProperty(safe(location.file))),line=\(location.line),col=\(location.column),"
            output += "title=\(escapeProperty(diagnostic.rule.rawValue))::\(escapeData(message))\n"
        }
        return output
    }

    public static func json(_ report: DiagnosticReport) -> String {
        let document = JSONReport(
            files: report.files, errors: report.errorCount, warnings: report.warningCount,
            diagnostics: report.diagnostics.map(JSONReport.Entry.init))
        return JSONDocument.render(document)
    }

    /// Diagnostics as other JSON documents carry them (`tickets list`,
    /// `push`): the same objects as `validate --format json`.
    public static func jsonEntries(_ diagnostics: [Diagnostic]) -> [some Encodable & Sendable] {
        diagnostics.map(JSONReport.Entry.init)
    }

    struct JSONReport: Encodable {
        var files: Int
        var errors: Int
        var warnings: Int
        var diagnostics: [Entry]

        struct Entry: Encodable, Sendable {
            var file: String
            var line: Int
            var column: Int
            var severity: String
            var rule: String
            var message: String
            var hint: String?
            var agent: String?
            var notes: [Note]?
            var commit: Diagnostic.CommitReference?

            struct Note: Encodable, Sendable {
                var file: String
                var line: Int
                var column: Int
                var message: String
            }

            init(_ diagnostic: Diagnostic) {
                file = diagnostic.location.file
                line = diagnostic.location.line
                column = diagnostic.location.column
                severity = diagnostic.severity.rawValue
                rule = diagnostic.rule.rawValue
                message = diagnostic.message
                hint = diagnostic.hint
                agent = diagnostic.agent
                commit = diagnostic.commit
                notes =
                    diagnostic.notes.isEmpty
                    ? nil
                    : diagnostic.notes.map {
                        Note(
                            file: $0.location.file, line: $0.location.line, column: $0.location.column,
                            message: $0.message)
                    }
            }
        }
    }

    /// Escaping of workflow-command data (the message).
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escaping of workflow-command properties (file, title).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
