import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// `/api/v1/session`: coordinators sign in and out. A new session id at
/// every sign-in; the cookie is `HttpOnly; SameSite=Strict` (and `Secure`
/// when Suivi is served over HTTPS); only its SHA-256 is stored.
struct SessionHandlers: Sendable {
    let context: AppContext
    let authentication: Authentication
    /// Wrong passwords per login and address; a limited client is refused
    /// before its password is checked.
    let limiter: SignInLimiter

    func signIn(_ request: Request) async throws -> Response {
        let body = try JSONBody(request)
        let login = try body.string("login", maximumLength: 100) ?? ""
        guard let password = body.object["password"] as? String, !password.isEmpty,
              password.count <= PasswordPolicy.maximumLength else {
            throw Problem.invalidParameter("password", "required")
        }
        let client = context.guessing.client(of: request)
        if case .limited(let seconds) = limiter.check(login: login, client: client) {
            throw Problem.tooManySignInAttempts(retryAfterSeconds: seconds)
        }
        let found = try await context.accounts.credentials(login: login)
        // An unknown login costs the same hashing time as a wrong password,
        // and gets the same answer.
        let hash = found?.passwordHash ?? PasswordHasher.decoy
        let matches = try await BlockingWork.run { PasswordHasher.verify(password, against: hash) }
        guard let account = found?.user, account.active, matches else {
            limiter.recordFailure(login: login, client: client)
            // Neither the login typed nor the password: only whether it named an account.
            try await context.audit.record(AuditActor(kind: .anonymous, id: nil, label: ""), "session.sign_in_failed",
                                           targetKind: found == nil ? nil : "user", targetID: found.map { String($0.user.id) },
                                           details: ["known_login": found == nil ? "no" : "yes"])
            throw Problem.signInFailed()
        }
        limiter.recordSuccess(login: login, client: client)
        let sessionID = Secrets.newToken()
        let csrfToken = Secrets.newToken()
        try await context.accounts.startSession(idHash: Secrets.sha256Hex(sessionID), userID: account.id, csrfToken: csrfToken)
        try await context.audit.record(AuditActor(kind: .user, id: account.id, label: account.login), "session.sign_in")
        var response = JSONResponses.ok(Self.describe(account, csrfToken: csrfToken))
        response.setHeader("Set-Cookie", cookie(sessionID, maxAge: Int(context.configuration.sessionLimits.absoluteSeconds)))
        return response
    }

    func current(_ request: Request) async throws -> Response {
        let (session, _) = try await authentication.session(request)
        return JSONResponses.ok(Self.describe(session.user, csrfToken: session.csrfToken))
    }

    func signOut(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        let (_, idHash) = try await authentication.session(request)
        try await context.accounts.endSession(idHash: idHash)
        try await context.audit.record(principal.auditActor, "session.sign_out")
        var response = JSONResponses.ok(["signed_out": true])
        response.setHeader("Set-Cookie", cookie("", maxAge: 0))
        return response
    }

    private func cookie(_ value: String, maxAge: Int) -> String {
        var cookie = "\(Authentication.sessionCookie)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if context.baseURL().lowercased().hasPrefix("https:") { cookie += "; Secure" }
        return cookie
    }

    static func describe(_ user: UserAccount, csrfToken: String) -> [String: Any] {
        [
            "user": [
                "id": user.id, "login": user.login, "display_name": user.displayName, "role": user.role.rawValue,
                "region": user.regionCode.map { $0 as Any } ?? NSNull(),
            ] as [String: Any],
            "csrf_token": csrfToken,
        ]
    }
}
