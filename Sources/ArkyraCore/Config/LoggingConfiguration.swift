import Foundation
import Logging

/// Log level and format.
package struct LoggingConfiguration: Sendable {
    package var level: Logger.Level
    /// `json` (one object a line, for production) or `text` (for a terminal).
    package var json: Bool

    package init(level: Logger.Level = .info, json: Bool = true) {
        self.level = level
        self.json = json
    }

    /// Reads `ARKYRA_LOG_LEVEL` and `ARKYRA_LOG_FORMAT`.
    package init(reader: EnvironmentReader) throws {
        let levelText = reader.string("ARKYRA_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(key: "ARKYRA_LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        let format = reader.string("ARKYRA_LOG_FORMAT", default: "json")
        guard format == "json" || format == "text" else {
            throw ConfigurationError(key: "ARKYRA_LOG_FORMAT", problem: "must be json or text")
        }
        self.init(level: level, json: format == "json")
    }
}
