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
    /// before its password is checked, a login under attack slowed.
    let limiter: SignInLimiter
    /// Browsers that signed in before: the limiter counts them on their own.
    var devices = KnownDevices()

    func signIn(_ request: Request) async throws -> Response {
        // Signing a victim's browser into another account is an attack too.
        try RequestOrigin.requireSameSite(request, baseURL: context.baseURL())
        let body = try JSONBody(request)
        let login = try body.string("login", maximumLength: 100) ?? ""
        guard let password = body.object["password"] as? String, !password.isEmpty,
              password.count <= PasswordPolicy.maximumLength else {
            throw Problem.invalidParameter("password", "required")
        }
        let next = SignInRedirect.path(body.object["next"] as? String)
        let client = context.guessing.client(of: request)
        let device = devices.device(Authentication.cookie(KnownDevices.cookieName, in: request), login: login)
        switch limiter.check(login: login, client: client, device: device) {
        case .limited(let seconds):
            throw Problem.tooManySignInAttempts(retryAfterSeconds: seconds)
        case .delayed(let seconds):
            // Right or wrong, the same wait: the delay says nothing about the password.
            try await Task.sleep(for: .seconds(seconds))
        case .allowed:
            break
        }
        let found = try await context.accounts.credentials(login: login)
        // An unknown login costs the same hashing time as a wrong password,
        // and gets the same answer.
        let hash = found?.passwordHash ?? PasswordHasher.decoy
        let matches = try await BlockingWork.run { PasswordHasher.verify(password, against: hash) }
        guard let account = found?.user, account.active, matches else {
            limiter.recordFailure(login: login, client: client, device: device)
            // Neither the login typed nor the password: only whether it named an account.
            try await context.audit.record(AuditActor(kind: .anonymous, id: nil, label: ""), "session.sign_in_failed",
                                           targetKind: found == nil ? nil : "user", targetID: found.map { String($0.user.id) },
                                           details: ["known_login": found == nil ? "no" : "yes"])
            throw Problem.signInFailed()
        }
        limiter.recordSuccess(login: login, client: client, device: device)
        let sessionID = Secrets.newToken()
        let csrfToken = Secrets.newToken()
        try await context.accounts.startSession(idHash: Secrets.sha256Hex(sessionID), userID: account.id, csrfToken: csrfToken)
        try await context.audit.record(AuditActor(kind: .user, id: account.id, label: account.login), "session.sign_in")
        var response = JSONResponses.ok(SessionResponse(user: UserResponse(account), csrfToken: csrfToken, next: next))
        // The session's cookie first (clients that read one `Set-Cookie` read
        // the first), then the device's: renewed at every sign-in, sent back
        // to this path only.
        response.headers.append(("Set-Cookie", cookie(Authentication.sessionCookie, sessionID, path: "/",
                                                      maxAge: Int(context.configuration.sessionLimits.absoluteSeconds))))
        response.headers.append(("Set-Cookie", cookie(KnownDevices.cookieName, devices.issue(login: account.login),
                                                      path: "/api/v1/session", maxAge: KnownDevices.lifetimeSeconds)))
        return response
    }

    func current(_ request: Request) async throws -> Response {
        let (session, _) = try await authentication.session(request)
        return JSONResponses.ok(SessionResponse(user: UserResponse(session.user), csrfToken: session.csrfToken, next: nil))
    }

    func signOut(_ request: Request) async throws -> Response {
        let principal = try await authentication.principal(request)
        let (_, idHash) = try await authentication.session(request)
        try await context.accounts.endSession(idHash: idHash)
        try await context.audit.record(principal.auditActor, "session.sign_out")
        var response = JSONResponses.ok(SignedOutResponse())
        response.setHeader("Set-Cookie", cookie(Authentication.sessionCookie, "", path: "/", maxAge: 0))
        return response
    }

    private func cookie(_ name: String, _ value: String, path: String, maxAge: Int) -> String {
        var cookie = "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if context.baseURL().lowercased().hasPrefix("https:") { cookie += "; Secure" }
        return cookie
    }
}
