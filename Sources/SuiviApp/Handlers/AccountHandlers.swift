import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `/api/v1/users`, `/api/v1/api-keys` and `/api/v1/session/password`:
/// admins manage who may sign in and which systems may call the API; every
/// user may change their own password. Each change is written with its
/// audit line in one transaction.
struct AccountHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    /// Checking a current password is a sign-in in disguise: same limits.
    let limiter: SignInLimiter

    // MARK: Users

    func listUsers(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let users = try await context.accounts.listUsers()
        return JSONResponses.ok(UsersResponse(users))
    }

    func createUser(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let body = try JSONBody(request)
        let login = try body.string("login", maximumLength: 100)!
        guard login.allSatisfy({ !$0.isWhitespace && !$0.isNewline }) else {
            throw Problem.invalidParameter("login", "no spaces")
        }
        let displayName = try body.string("display_name", required: false, maximumLength: 200) ?? ""
        let role = try userRole(body)!
        let region = role == .admin ? nil : try regionCode(body) ?? nil
        guard let password = body.object["password"] as? String else { throw Problem.invalidParameter("password", "required") }
        try PasswordPolicy.check(password, login: login)
        let hash = try await BlockingWork.run { try PasswordHasher.hash(password) }
        do {
            let user = try await context.accounts.addUser(
                login: login, displayName: displayName, role: role, regionCode: region, passwordHash: hash,
                by: principal.auditActor)
            return JSONResponses.ok(OneUserResponse(user: AccountResponse(user)), status: 201)
        } catch AccountError.loginTaken {
            throw Problem.loginTaken()
        }
    }

    /// Display name, role, region and active flag. Deactivation ends the
    /// user's sessions at once; role and region changes apply from their
    /// next request, since sessions read the account each time.
    func updateUser(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let id = try Self.id(request)
        let body = try JSONBody(request)
        var changes = UserChanges()
        if body.object["display_name"] != nil {
            changes.displayName = try body.string("display_name", required: false, maximumLength: 200) ?? ""
        }
        changes.role = try userRole(body, required: false)
        if body.object["region"] != nil { changes.regionCode = .some(try regionCode(body) ?? nil) }
        changes.active = try body.bool("active", required: false)
        if case .user(let ownID, _) = principal.actor, ownID == id,
           changes.active == false || (changes.role != nil && changes.role != .admin) {
            throw Problem.ownAccessLocked()
        }
        guard let user = try await context.accounts.updateUser(id: id, changes, by: principal.auditActor) else {
            throw Problem.notFound()
        }
        return JSONResponses.ok(OneUserResponse(user: AccountResponse(user)))
    }

    /// An admin sets a new password for someone; all their sessions end.
    func resetPassword(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let id = try Self.id(request)
        let body = try JSONBody(request)
        guard let password = body.object["password"] as? String else { throw Problem.invalidParameter("password", "required") }
        guard let user = try await context.accounts.user(id: id) else { throw Problem.notFound() }
        try PasswordPolicy.check(password, login: user.login)
        let hash = try await BlockingWork.run { try PasswordHasher.hash(password) }
        guard try await context.accounts.changePassword(
            userID: id, hash: hash, ending: .all, action: "user.password_reset", by: principal.auditActor) else {
            throw Problem.notFound()
        }
        return JSONResponses.ok(PasswordResetResponse(), personalData: false)
    }

    /// A signed-in user changes their own password: the current one is
    /// required (a session left open on a shared computer must not be
    /// enough), and every other session of theirs ends.
    func changeOwnPassword(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        guard case .user(let userID, let login) = principal.actor else { throw Problem.forbidden() }
        let (_, idHash) = try await authentication.session(request)
        let body = try JSONBody(request)
        guard let current = body.object["current_password"] as? String, !current.isEmpty,
              current.count <= PasswordPolicy.maximumLength else {
            throw Problem.invalidParameter("current_password", "required")
        }
        guard let new = body.object["new_password"] as? String else { throw Problem.invalidParameter("new_password", "required") }
        let client = context.guessing.client(of: request)
        if case .limited(let seconds) = limiter.check(login: login, client: client) {
            throw Problem.tooManySignInAttempts(retryAfterSeconds: seconds)
        }
        let stored = try await context.accounts.passwordHash(userID: userID) ?? PasswordHasher.decoy
        guard try await BlockingWork.run({ PasswordHasher.verify(current, against: stored) }) else {
            limiter.recordFailure(login: login, client: client)
            try await context.audit.record(principal.auditActor, "session.password_change_failed",
                                           targetKind: "user", targetID: String(userID))
            throw Problem.currentPasswordWrong()
        }
        do {
            try PasswordPolicy.check(new, login: login)
        } catch let problem as Problem {
            throw problem.with(field: "new_password")
        }
        let hash = try await BlockingWork.run { try PasswordHasher.hash(new) }
        _ = try await context.accounts.changePassword(
            userID: userID, hash: hash, ending: .allBut(idHash: idHash), action: "session.password_change",
            by: principal.auditActor)
        return JSONResponses.ok(PasswordChangedResponse(), personalData: false)
    }

    // MARK: API keys

    func listKeys(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let keys = try await context.apiKeys.listKeys()
        return JSONResponses.ok(APIKeysResponse(apiKeys: keys.map(APIKeyResponse.init)))
    }

    /// The key is in this answer only: Suivi keeps its SHA-256.
    func createKey(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        let body = try JSONBody(request)
        let name = try body.string("name", maximumLength: 100)!
        guard let roleText = try body.string("role", maximumLength: 20), let role = Role(rawValue: roleText) else {
            throw Problem.invalidParameter("role", "expected admin, coordinator, viewer or membership")
        }
        let region = role == .admin ? nil : try regionCode(body) ?? nil
        let secret = Secrets.newToken()
        let key = try await context.apiKeys.create(name: name, role: role, regionCode: region,
                                                   keyHash: Secrets.sha256Hex(secret), by: principal.auditActor)
        let listing = APIKeyListing(key: key, createdAt: Timestamp.string(Date()), revokedAt: nil)
        return JSONResponses.ok(NewAPIKeyResponse(apiKey: MergedResponse(first: APIKeyResponse(listing), second: .init(key: secret))),
                                status: 201)
    }

    /// Revoked at once: the next call with the key is a 401.
    func revokeKey(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        try principal.require(.administer)
        guard try await context.apiKeys.revoke(id: try Self.id(request), by: principal.auditActor) else {
            throw Problem.notFound()
        }
        return JSONResponses.ok(APIKeyRevokedResponse(), personalData: false)
    }

    // MARK: Reading requests

    private static func id(_ request: Request) throws -> Int64 {
        guard let id = Int64(request.parameter("id")), id > 0 else { throw Problem.notFound() }
        return id
    }

    /// admin, coordinator or viewer: `membership` is for API keys only.
    private func userRole(_ body: JSONBody, required: Bool = true) throws -> Role? {
        guard let text = try body.string("role", required: required, maximumLength: 20) else { return nil }
        guard let role = Role(rawValue: text), role != .membership else {
            throw Problem.invalidParameter("role", "expected admin, coordinator or viewer")
        }
        return role
    }

    /// The region code from `region` (a code or a name, any case or
    /// accents); nil when absent, null or blank (national scope).
    private func regionCode(_ body: JSONBody) throws -> String? {
        guard let text = try body.string("region", required: false, maximumLength: 100) else { return nil }
        let folded = PasswordPolicy.fold(text)
        guard let match = context.departements.first(where: {
            $0.regionCode == text.lowercased() || PasswordPolicy.fold($0.region) == folded
        }) else {
            throw Problem.invalidParameter("region", "unknown region")
        }
        return match.regionCode
    }
}
