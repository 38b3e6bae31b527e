import Foundation
import Logging
import SupportSync

/// Logs go to stderr; the level comes from SUPPORTSYNC_LOG (default: warning).
enum CommandLogging {
    static let levels = Logger.Level.allCases.map(\.rawValue)

    static let bootstrap: Void = {
        let requested = ProcessInfo.processInfo.environment["SUPPORTSYNC_LOG"] ?? ""
        let named = Logger.Level(rawValue: requested.lowercased())
        let level = named ?? .warning
        LoggingSystem.bootstrap { label in CommandLogHandler(label: label, logLevel: level) }
        if !requested.isEmpty, named == nil {
            // Said once, as the first log line, not passed over.
            CommandLogHandler.write(
                "warning: SUPPORTSYNC_LOG=\(PrintableText.escaping(requested)) is not a log level (\(levels.joined(separator: ", "))); logging at warning\n"
            )
        }
    }()

    @Sendable static func logger(_ label: String) -> Logger {
        _ = bootstrap
        return Logger(label: label)
    }
}

/// One line a log event on stderr, as the tool's other messages are:
/// `warning: apply: not applied (agent=billing-line, reason=...)`.
struct CommandLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let own = event.metadata { all.merge(own) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let part = label.hasPrefix("supportsync.") ? String(label.dropFirst("supportsync.".count)) : label
        var line = "\(event.level.rawValue): \(part): \(event.message)"
        if !all.isEmpty {
            line += " (" + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
        }
        // Platform text may be in it: control characters escaped, one line.
        Self.write(PrintableText.escaping(line) + "\n")
    }

    /// Written whole, so lines of concurrent tasks never interleave.
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
