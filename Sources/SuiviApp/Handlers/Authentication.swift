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
    let guessing: GuessingLimiter

    init(people: PeopleStore, apiKeys: APIKeyStore, guessing: GuessingLimiter) {
        self.people = people
        self.apiKeys = apiKeys
        self.guessing = guessing
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
