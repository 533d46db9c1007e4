import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Who is calling: a resource person by their personal link, or another
/// system by its API key.
///
/// The token or key is always looked up first, whatever the address has done
/// before: a valid one is never counted, limited or slowed. Only failed
/// lookups reach the `GuessingLimiter`, which decides whether they are
/// answered as usual or with 429.1. A link never issued and a revoked one get
/// the same answer, as do an unknown and a revoked key.
struct Authentication: Sendable {
    let people: PeopleStore
    let apiKeys: APIKeyStore
    let accounts: AccountStore
    let guessing: GuessingLimiter
    let departements: [Departement]
    let sessionLimits: SessionLimits
    /// Suivi's public address, for `RequestOrigin`.
    let baseURL: @Sendable () -> String

    /// Persons found when a record's head was admitted (`admitPersonalLink`).
    let admittedPeople = AdmittedPeople()

    static let sessionCookie = "suivi_session"

    init(people: PeopleStore, apiKeys: APIKeyStore, accounts: AccountStore, guessing: GuessingLimiter,
         departements: [Departement], sessionLimits: SessionLimits, baseURL: @escaping @Sendable () -> String = { "" }) {
        self.people = people
        self.apiKeys = apiKeys
        self.accounts = accounts
        self.guessing = guessing
        self.departements = departements
        self.sessionLimits = sessionLimits
        self.baseURL = baseURL
    }

    /// The caller of a coordinators' route: an API key when the request has
    /// `Authorization: Bearer`, else the session cookie. Requests that change
    /// something (anything but GET and HEAD) made with the cookie must carry
    /// the session's anti-CSRF token in `X-CSRF-Token`, and come from Suivi's
    /// own origin when the browser names one (`RequestOrigin`).
    func principal(_ request: Request) async throws -> Principal {
        if request.headers["Authorization"] != nil {
            let key = try await apiKey(request)
            return Principal(actor: .apiKey(id: key.id, name: key.name), role: key.role, regionCode: key.regionCode,
                             csrfToken: nil, departements: departements)
        }
        let (session, _) = try await session(request)
        if request.method != "GET" && request.method != "HEAD" {
            try RequestOrigin.requireSameSite(request, baseURL: baseURL())
            let sent = request.headers["X-CSRF-Token"] ?? ""
            guard !sent.isEmpty, Secrets.constantTimeEqual(sent, session.csrfToken) else { throw Problem.csrfRejected() }
        }
        let user = session.user
        return Principal(actor: .user(id: user.id, login: user.login), role: user.role, regionCode: user.regionCode,
                         csrfToken: session.csrfToken, departements: departements)
    }

    /// The live session named by the cookie, with the SHA-256 it is stored
    /// under. An ended, idle or too old session is 401.3; no cookie is 401.1.
    func session(_ request: Request) async throws -> (UserSession, idHash: String) {
        guard let value = Self.cookie(Self.sessionCookie, in: request), !value.isEmpty, value.count <= 128 else {
            throw Problem.authenticationRequired()
        }
        let idHash = Secrets.sha256Hex(value)
        guard let session = try await accounts.session(idHash: idHash) else {
            throw refusal(.sessionExpired(), request, field: "Cookie")
        }
        let now = Date()
        if now.timeIntervalSince(session.lastSeenAt) > sessionLimits.idleSeconds
            || now.timeIntervalSince(session.createdAt) > sessionLimits.absoluteSeconds {
            try await accounts.endSession(idHash: idHash, at: now)
            throw Problem.sessionExpired()
        }
        // One write a minute at most per session, not one per request (more
        // often only when the idle limit is that short).
        if now.timeIntervalSince(session.lastSeenAt) > min(60, sessionLimits.idleSeconds / 4) {
            try await accounts.touchSession(idHash: idHash, at: now)
        }
        return (session, idHash)
    }

    /// A cookie's value from the `Cookie` header.
    static func cookie(_ name: String, in request: Request) -> String? {
        guard let header = request.headers["Cookie"] else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The person behind `/key/:token/...`. A bad or revoked token is a 403,
    /// not a 401, so phones do not prompt for a password.
    func person(_ request: Request) async throws -> ResourcePerson {
        let token = request.parameter("token")
        if !token.isEmpty, token.count <= 128,
           let person = try await people.person(byTokenHash: Secrets.sha256Hex(token)) {
            return person
        }
        throw refusal(.invalidLink(), request, field: "token")
    }

    /// The draft behind `/test/:token/...` (a draft's test link): 403 like
    /// a bad personal link, counted the same for the guessing limit.
    func draftUnderTest(_ request: Request, tests: DraftTestStore) async throws -> (formID: String, version: String) {
        let token = request.parameter("token")
        if !token.isEmpty, token.count <= 128, let draft = try await tests.draft(byTokenHash: Secrets.sha256Hex(token)) {
            return draft
        }
        throw refusal(.invalidLink(), request, field: "token")
    }

    /// The API key in `Authorization: Bearer KEY`.
    func apiKey(_ request: Request) async throws -> APIKey {
        // No key at all is not a guess: nothing to count.
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.authenticationRequired()
        }
        let key = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        if !key.isEmpty, key.count <= 128, let found = try await apiKeys.key(byHash: Secrets.sha256Hex(key)) {
            return found
        }
        throw refusal(Problem.authenticationRequired().with(detail: "unknown or revoked key"), request, field: "Authorization")
    }

    /// The answer to a failed lookup: `usual` while the client is under the
    /// limit, 429.1 once it is over.
    private func refusal(_ usual: Problem, _ request: Request, field: String) -> Problem {
        switch guessing.recordFailure(from: guessing.client(of: request)) {
        case .allowed:
            return usual
        case .limited(let seconds):
            let limits = guessing.limits
            return Problem.tooManyFailedAttempts(retryAfterSeconds: seconds, field: field).with(
                detail: "more than \(limits.failures) failed lookups in \(limits.windowSeconds) s from this address")
        }
    }
}
