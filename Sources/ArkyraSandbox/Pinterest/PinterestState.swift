import Foundation

/// What the emulated Pinterest remembers besides its OAuth server: boards and Pins.
actor PinterestState {
    struct Board: Sendable {
        var id: String
        var ownerID: String
        var name: String
        var privacy: String
    }

    struct Pin: Sendable {
        var id: String
        var boardID: String
        var ownerID: String
        var title: String
        var description: String
        var link: String?
        var altText: String?
        var contentType: String
        var createdAt: Date
        /// What readers did with it (the sandbox's control API sets these): impression, save, pin_click, …
        var metrics: [String: Int] = [:]
    }

    /// Pinterest's OAuth server: codes live 10 minutes, access tokens 30 days, refresh tokens a year (kept
    /// across refreshes); the app authenticates with Basic; no PKCE.
    static let oauthPolicy = OAuthServer.Policy(
        displayName: "Pinterest", codeLifetime: 600, accessLifetime: 2_592_000, refreshLifetime: 31_536_000, refreshRotates: false,
        refreshScope: nil, requiresPKCE: false, clientAuthentication: .basic, accountIDs: .numeric, tokenType: "bearer",
        invalidCode: "Invalid authorization code", invalidRefresh: "Invalid refresh token", invalidRefreshError: "invalid_grant"
    )

    private(set) var boards: [Board] = []
    private(set) var pins: [Pin] = []
    private var nextID: UInt64 = 1_125_000_000_000_000_000

    private func newID() -> String {
        nextID += UInt64.random(in: 1...999)
        return String(nextID)
    }

    @discardableResult
    func addBoard(owner: String, name: String, privacy: String = "PUBLIC") -> Board {
        let board = Board(id: newID(), ownerID: owner, name: name, privacy: privacy)
        boards.append(board)
        return board
    }

    /// The boards of `owner` (every account gets "Ideas" the first time they are listed).
    func boards(of owner: String) -> [Board] {
        if !boards.contains(where: { $0.ownerID == owner }) { addBoard(owner: owner, name: "Ideas") }
        return boards.filter { $0.ownerID == owner }
    }

    func board(id: String) -> Board? { boards.first { $0.id == id } }

    func addPin(board: Board, title: String, description: String, link: String?, altText: String?, contentType: String, now: Date) -> Pin {
        let pin = Pin(id: newID(), boardID: board.id, ownerID: board.ownerID, title: title, description: description, link: link,
                      altText: altText, contentType: contentType, createdAt: now)
        pins.append(pin)
        return pin
    }

    func pin(id: String) -> Pin? { pins.first { $0.id == id } }

    func setMetrics(id: String, _ metrics: [String: Int]) -> Bool {
        guard let index = pins.firstIndex(where: { $0.id == id }) else { return false }
        pins[index].metrics = metrics
        return true
    }

    /// Removes a Pin of `owner`; false when there is none of theirs.
    func delete(id: String, owner: String) -> Bool {
        guard let index = pins.firstIndex(where: { $0.id == id && $0.ownerID == owner }) else { return false }
        pins.remove(at: index)
        return true
    }

    func reset() {
        boards = []
        pins = []
    }
}
