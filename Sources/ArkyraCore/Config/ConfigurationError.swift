/// A configuration value that is missing or malformed. The message names the key; it never contains the value
/// of a secret.
package struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The environment key (or file) at fault.
    package let key: String
    /// What is wrong with it.
    package let problem: String

    package init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }

    package var description: String { "configuration error: \(key) \(problem)" }
}
