import Foundation

/// What the emulated Bluesky PDS remembers: accounts with app passwords, sessions (access tokens that
/// expire, refresh tokens that rotate), post records and the write-points budget per account.
actor BlueskyState {
    struct Account: Sendable {
        var did: String
        var handle: String
        var password: String
        /// How long new access tokens live.
        var accessLifetime: TimeInterval
    }

    struct Session: Sendable {
        var did: String
        var expiresAt: Date
    }

    struct Record: Sendable {
        var uri: String
        var cid: String
        var rkey: String
        var did: String
        /// The record as JSON.
        var value: Data
        var indexedAt: Date

        var json: [String: Any] { ["uri": uri, "cid": cid, "value": (try? JSONSerialization.jsonObject(with: value)) ?? [:]] }
    }

    enum TokenCheck {
        case valid(Account)
        case expired
        case revoked
        case unknown
    }

    private(set) var accounts: [String: Account] = [:]  // by did
    private var accessTokens: [String: Session] = [:]
    private var refreshTokens: [String: Session] = [:]
    private var revokedRefreshTokens: Set<String> = []
    private(set) var records: [Record] = []
    /// What readers did with posts, by URI (the sandbox's control API sets these): likes, reposts, quotes.
    private(set) var engagement: [String: [String: Int]] = [:]

    func setEngagement(uri: String, _ counts: [String: Int]) -> Bool {
        guard records.contains(where: { $0.uri == uri }) else { return false }
        engagement[uri] = counts
        return true
    }

    /// How many posts reply to `uri`.
    func replies(to uri: String) -> Int {
        records.filter { record in
            ((try? JSONSerialization.jsonObject(with: record.value)) as? [String: Any]).flatMap { ($0["reply"] as? [String: Any])?["parent"] as? [String: Any] }?["uri"] as? String == uri
        }.count
    }
    private var lastTID: UInt64 = 0

    func addAccount(handle: String, password: String, accessLifetime: TimeInterval) -> Account {
        if let existing = accounts.values.first(where: { $0.handle == handle }) { return existing }
        let did = "did:plc:" + Self.randomBase32(24)
        let account = Account(did: did, handle: handle, password: password, accessLifetime: accessLifetime)
        accounts[did] = account
        return account
    }

    func account(identifier: String) -> Account? {
        accounts[identifier] ?? accounts.values.first { $0.handle == identifier }
    }

    /// Opens a session: a new access token and refresh token (both JWT-shaped, their claims readable).
    func openSession(for account: Account, now: Date) -> (access: String, refresh: String) {
        let accessExpiry = now.addingTimeInterval(account.accessLifetime)
        let refreshExpiry = now.addingTimeInterval(90 * 86_400)
        let access = Self.token(scope: "com.atproto.access", did: account.did, issuedAt: now, expiresAt: accessExpiry)
        let refresh = Self.token(scope: "com.atproto.refresh", did: account.did, issuedAt: now, expiresAt: refreshExpiry)
        accessTokens[access] = Session(did: account.did, expiresAt: accessExpiry)
        refreshTokens[refresh] = Session(did: account.did, expiresAt: refreshExpiry)
        return (access, refresh)
    }

    func checkAccess(_ token: String, now: Date) -> TokenCheck {
        guard let session = accessTokens[token], let account = accounts[session.did] else { return .unknown }
        return session.expiresAt <= now ? .expired : .valid(account)
    }

    /// Exchanges a refresh token for a new session; the old refresh token is revoked (rotation).
    func rotate(_ refreshToken: String, now: Date) -> (check: TokenCheck, session: (access: String, refresh: String)?) {
        if revokedRefreshTokens.contains(refreshToken) { return (.revoked, nil) }
        guard let session = refreshTokens[refreshToken], let account = accounts[session.did] else { return (.unknown, nil) }
        if session.expiresAt <= now { return (.expired, nil) }
        refreshTokens[refreshToken] = nil
        revokedRefreshTokens.insert(refreshToken)
        return (.valid(account), openSession(for: account, now: now))
    }

    /// Makes every access token of the account expired now (as if two hours had passed).
    func expireAccessTokens(handle: String) -> Int {
        var count = 0
        for (token, session) in accessTokens where accounts[session.did]?.handle == handle {
            accessTokens[token]?.expiresAt = .distantPast
            count += 1
        }
        return count
    }

    /// Ends every session of the account (app password revoked): its refresh tokens stop working too.
    func revokeSessions(handle: String) -> Int {
        var count = 0
        for (token, session) in refreshTokens where accounts[session.did]?.handle == handle {
            refreshTokens[token] = nil
            revokedRefreshTokens.insert(token)
            count += 1
        }
        _ = expireAccessTokens(handle: handle)
        return count
    }

    /// Service tokens (`getServiceAuth`): who they act for, for which method, until when.
    private var serviceTokens: [String: (did: String, method: String, expiresAt: Date)] = [:]

    /// A token for another service (the video service) to call `method` on this PDS as `did`.
    func issueServiceToken(did: String, audience: String, method: String, expiresAt: Date, now: Date) -> String {
        let token = Self.token(scope: "com.atproto.service", did: did, issuedAt: now, expiresAt: expiresAt)
        serviceTokens[token] = (did, method, expiresAt)
        return token
    }

    /// The DID a service token acts for, when it is valid for `method`.
    func serviceTokenSubject(_ token: String, method: String, now: Date) -> String? {
        guard let entry = serviceTokens[token], entry.method == method, entry.expiresAt > now else { return nil }
        return entry.did
    }

    /// A blob an account uploaded: its CID, type and size.
    struct Blob: Sendable {
        var cid: String
        var did: String
        var mimeType: String
        var size: Int
    }
    private(set) var blobs: [String: Blob] = [:]

    func addBlob(did: String, mimeType: String, size: Int) -> Blob {
        let blob = Blob(cid: "bafkrei" + Self.randomBase32(52), did: did, mimeType: mimeType, size: size)
        blobs[blob.cid] = blob
        return blob
    }

    func blob(cid: String) -> Blob? { blobs[cid] }

    /// Stores a record under `rkey` (a fresh TID when nil); nil when the key is taken.
    func createRecord(did: String, collection: String, rkey: String?, value: Data, now: Date) -> Record? {
        let rkey = rkey ?? nextTID(now)
        if record(uri: "at://\(did)/\(collection)/\(rkey)") != nil { return nil }
        let record = Record(
            uri: "at://\(did)/\(collection)/\(rkey)", cid: "bafyrei" + Self.randomBase32(52), rkey: rkey, did: did, value: value, indexedAt: now
        )
        records.append(record)
        return record
    }

    func record(uri: String) -> Record? { records.first { $0.uri == uri } }

    /// Removes the record at `uri`; whether it was there (a PDS deletes a missing record without complaint).
    @discardableResult
    func deleteRecord(uri: String) -> Bool {
        guard let index = records.firstIndex(where: { $0.uri == uri }) else { return false }
        records.remove(at: index)
        return true
    }

    /// How many records of `collection` the account has.
    func count(did: String, collection: String) -> Int {
        records.filter { $0.did == did && $0.uri.hasPrefix("at://\(did)/\(collection)/") }.count
    }

    /// The account's records of a collection, newest first (or oldest first when `reverse`), after `cursor`.
    func list(did: String, collection: String, limit: Int, cursor: String?, reverse: Bool) -> [Record] {
        let prefix = "at://\(did)/\(collection)/"
        var matching = records.filter { $0.uri.hasPrefix(prefix) }.sorted { reverse ? $0.rkey < $1.rkey : $0.rkey > $1.rkey }
        if let cursor { matching = matching.filter { reverse ? $0.rkey > cursor : $0.rkey < cursor } }
        return Array(matching.prefix(limit))
    }

    func reset() {
        accessTokens = [:]
        refreshTokens = [:]
        revokedRefreshTokens = []
        records = []
    }

    /// A record key in AT Protocol's TID format: microseconds since 1970 and a clock id, 13 sortable base32 characters.
    private func nextTID(_ now: Date) -> String {
        let micros = max(UInt64(now.timeIntervalSince1970 * 1_000_000), lastTID + 1)
        lastTID = micros
        let value = (micros << 10) | UInt64.random(in: 0..<1024)
        let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz")
        var text = ""
        for shift in stride(from: 60, through: 0, by: -5) { text.append(alphabet[Int((value >> UInt64(shift)) & 31)]) }
        return text
    }

    static func randomBase32(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }

    /// A JWT-shaped token whose claims clients may read; the signature is random (the sandbox checks tokens by lookup).
    static func token(scope: String, did: String, issuedAt: Date, expiresAt: Date) -> String {
        func encode(_ object: [String: Any]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data()
            return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = encode(["typ": scope == "com.atproto.access" ? "at+jwt" : "refresh+jwt", "alg": "HS256"])
        let claims = encode([
            "scope": scope, "sub": did, "aud": "did:web:sandbox.arkyra.local", "iat": Int(issuedAt.timeIntervalSince1970),
            "exp": Int(expiresAt.timeIntervalSince1970), "jti": randomBase32(20),
        ])
        return "\(header).\(claims).\(randomBase32(43))"
    }
}
