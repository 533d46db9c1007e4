import Foundation
import SuiviDomain
import SuiviHTTP
import SuiviStore

/// Who is calling: a resource person by their personal link, or another
/// system by its API key.
struct Authentication: Sendable {
    let people: PeopleStore
    let apiKeys: APIKeyStore

    /// The person behind `/key/:token/...`. A bad or revoked token is a 403,
    /// not a 401, so phones do not prompt for a password.
    func person(_ request: Request) async throws -> ResourcePerson {
        let token = request.parameter("token")
        guard !token.isEmpty, token.count <= 128,
              let person = try await people.person(byTokenHash: Secrets.sha256Hex(token))
        else { throw Problem.invalidLink() }
        return person
    }

    /// The API key in `Authorization: Bearer KEY`.
    func apiKey(_ request: Request) async throws -> APIKey {
        guard let header = request.headers["Authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.authenticationRequired()
        }
        let key = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 128, let found = try await apiKeys.key(byHash: Secrets.sha256Hex(key)) else {
            throw Problem.authenticationRequired().with(detail: "unknown or revoked key")
        }
        return found
    }
}
