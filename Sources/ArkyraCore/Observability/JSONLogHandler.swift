import Foundation
import Logging

/// Writes one JSON object per line to standard output: time, level, service, message, source and the metadata
/// (so `request_id` appears on every line a request causes).
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let service: String

    package init(label: String, service: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.service = service
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let line = Self.render(
            time: Date(), level: event.level, service: service, logger: label,
            message: event.message.description, metadata: merged
        )
        FileHandle.standardOutput.write(line)
    }

    /// Renders one log line: the fixed fields first, then the metadata with its keys sorted, so lines are stable.
    static func render(time: Date, level: Logger.Level, service: String, logger: String, message: String, metadata: Logger.Metadata) -> Data {
        var json = "{"
        var first = true
        func field(_ key: String, _ write: (inout String) -> Void) {
            if !first { json += "," }
            first = false
            JSONText.appendQuoted(key, to: &json)
            json += ":"
            write(&json)
        }
        let fixed = [("ts", ISO8601Timestamp.format(time)), ("level", level.rawValue), ("service", service), ("logger", logger), ("msg", message)]
        for (key, value) in fixed { field(key) { JSONText.appendQuoted(value, to: &$0) } }
        let reserved = Set(fixed.map(\.0))
        for key in metadata.keys.sorted() where !reserved.contains(key) {
            field(key) { append(metadata[key]!, to: &$0) }
        }
        json += "}\n"
        return Data(json.utf8)
    }

    private static func append(_ value: Logger.Metadata.Value, to json: inout String) {
        switch value {
        case .string(let string):
            JSONText.appendQuoted(string, to: &json)
        case .stringConvertible(let convertible):
            JSONText.appendQuoted(convertible.description, to: &json)
        case .array(let array):
            json += "["
            for (index, element) in array.enumerated() {
                if index > 0 { json += "," }
                append(element, to: &json)
            }
            json += "]"
        case .dictionary(let dictionary):
            json += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { json += "," }
                JSONText.appendQuoted(key, to: &json)
                json += ":"
                append(dictionary[key]!, to: &json)
            }
            json += "}"
        }
    }
}

/// Sets up the process-wide logging backend once, at start-up of an executable.
package enum LoggingBootstrap {
    /// Installs JSON (or plain text) logging for `service` at `configuration.level`.
    package static func bootstrap(service: String, configuration: LoggingConfiguration) {
        LoggingSystem.bootstrap { label in
            if configuration.json {
                return JSONLogHandler(label: label, service: service, level: configuration.level)
            }
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = configuration.level
            return handler
        }
    }
}
