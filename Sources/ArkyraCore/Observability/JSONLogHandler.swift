import Foundation
import Logging

/// Writes one JSON object per line to standard output: time, level, service, message, source and the metadata
/// (so `request_id` appears on every line a request causes).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let service: String

    public init(label: String, service: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.service = service
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
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

    /// Renders one log line; keys of `metadata` are sorted so lines are stable.
    static func render(time: Date, level: Logger.Level, service: String, logger: String, message: String, metadata: Logger.Metadata) -> Data {
        var object: [String: Any] = [
            "ts": ISO8601Timestamp.format(time),
            "level": level.rawValue,
            "service": service,
            "logger": logger,
            "msg": message,
        ]
        for (key, value) in metadata where object[key] == nil {
            object[key] = jsonValue(value)
        }
        var data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(0x0A)
        return data
    }

    private static func jsonValue(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let array): return array.map(jsonValue)
        case .dictionary(let dictionary): return dictionary.mapValues(jsonValue)
        }
    }
}

/// Sets up the process-wide logging backend once, at start-up of an executable.
public enum LoggingBootstrap {
    /// Installs JSON (or plain text) logging for `service` at `configuration.level`.
    public static func bootstrap(service: String, configuration: LoggingConfiguration) {
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
