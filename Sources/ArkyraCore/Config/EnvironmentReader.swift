import Foundation

/// Reads configuration values by key from the process environment, with an optional `.env` file as fallback.
///
/// The environment always wins over the file, so a deployment can override any development default.
/// This is the only place in ARKYRA that reads the environment.
package struct EnvironmentReader: Sendable {
    private let values: [String: String]

    /// Creates a reader over explicit values (tests build configuration this way).
    package init(values: [String: String]) {
        self.values = values
    }

    /// Reads the process environment, falling back to `KEY=value` lines of `dotEnvPath` when that file exists.
    /// - Throws: ``ConfigurationError`` when the file exists but has a malformed line.
    package static func process(dotEnvPath: String? = ".env") throws -> EnvironmentReader {
        var merged: [String: String] = [:]
        if let dotEnvPath, FileManager.default.fileExists(atPath: dotEnvPath) {
            guard let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) else {
                throw ConfigurationError(key: dotEnvPath, problem: "exists but cannot be read as a UTF-8 text file")
            }
            merged = try parseDotEnv(text, path: dotEnvPath)
        }
        merged.merge(ProcessInfo.processInfo.environment) { _, environment in environment }
        return EnvironmentReader(values: merged)
    }

    /// Parses `.env` text: `KEY=value` lines, `#` comments, optional `export ` and surrounding quotes.
    static func parseDotEnv(_ text: String, path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line.removeFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError(key: path, problem: "line \(index + 1) is not KEY=value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            result[key] = value
        }
        return result
    }

    /// The raw value of `key`, or nil when unset or empty.
    package func string(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    /// The value of `key`, or `defaultValue` when unset.
    package func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    /// The value of a key that has no default.
    /// - Throws: ``ConfigurationError`` naming the key when it is unset.
    package func required(_ key: String) throws -> String {
        guard let value = string(key) else { throw ConfigurationError(key: key, problem: "is required but not set") }
        return value
    }

    /// An integer within `range`, or `defaultValue` when unset.
    /// - Throws: ``ConfigurationError`` naming the key when the value is not an integer in range.
    package func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(key) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(key: key, problem: "must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// A boolean (`true/false/1/0/yes/no`), or `defaultValue` when unset.
    /// - Throws: ``ConfigurationError`` naming the key for any other text.
    package func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let text = string(key) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(key: key, problem: "must be true or false, got '\(text)'")
        }
    }

    /// A URL with one of `schemes` and a host, or `defaultValue` when unset.
    /// - Throws: ``ConfigurationError`` naming the key when the value is not such a URL.
    package func url(_ key: String, default defaultValue: String, schemes: Set<String>) throws -> URL {
        let text = string(key) ?? defaultValue
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host != nil else {
            throw ConfigurationError(key: key, problem: "must be a URL with scheme \(schemes.sorted().joined(separator: " or ")) and a host")
        }
        return url
    }
}
