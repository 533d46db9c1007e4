import Foundation
import Logging
import SuiviApp

enum LogSetup {
    /// logfmt on standard error; level from SUIVI_LOG_LEVEL (default info).
    static func bootstrap(level fallback: Logger.Level = .info) -> Logger {
        let level = ProcessInfo.processInfo.environment["SUIVI_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? fallback
        LoggingSystem.bootstrap { label in
            var handler = LogfmtLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "suivi")
    }
}
