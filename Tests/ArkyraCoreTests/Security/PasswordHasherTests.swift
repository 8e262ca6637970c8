import ArkyraCore
import Testing

@Suite("Password hashes (bcrypt)")
struct PasswordHasherTests {
    @Test("bcrypt hashes verify the right password only")
    func passwords() async throws {
        let hasher = PasswordHasher(cost: 4)
        let hash = try await hasher.hash("correct horse")
        #expect(hash.hasPrefix("$2"))
        #expect(try await hasher.verify("correct horse", against: hash))
        #expect(try await hasher.verify("wrong horse", against: hash) == false)
    }
}
