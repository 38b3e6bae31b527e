import Foundation
import Logging

/// Logs go to stderr; the level comes from SUPPORTSYNC_LOG (default: warning).
enum CommandLogging {
    static let bootstrap: Void = {
        let level =
            ProcessInfo.processInfo.environment["SUPPORTSYNC_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()

    @Sendable static func logger(_ label: String) -> Logger {
        _ = bootstrap
        return Logger(label: label)
    }
}
