/// A configuration value that is missing or malformed. The message names the key; it never contains the value
/// of a secret.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The environment key (or file) at fault.
    public let key: String
    /// What is wrong with it.
    public let problem: String

    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { "configuration error: \(key) \(problem)" }
}
