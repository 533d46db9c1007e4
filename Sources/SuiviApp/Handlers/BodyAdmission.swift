import Foundation
import SuiviDomain
import SuiviHTTP

/// The checks `RouteBodies` runs on a request head before its body is read.
/// They prove who is calling and nothing more: the handler decides what that
/// caller may do.
extension Authentication {
    /// A body under `/key/:token/...`: the link must name a resource person.
    /// A failed lookup counts for the `GuessingLimiter` as in `person(_:)`.
    /// The person found is handed to the handler of the same request, so a
    /// record costs one token lookup, not two.
    func admitPersonalLink(_ request: Request) async throws {
        admittedPeople.keep(try await person(request), for: request.id)
    }

    /// The person behind the link of a request whose body was admitted, as
    /// found on its head; looked up again only if it was not.
    func admittedPerson(_ request: Request) async throws -> ResourcePerson {
        if let person = admittedPeople.take(request.id) { return person }
        return try await person(request)
    }

    /// A body under `/api/`: the API key in `Authorization`, or else the
    /// session cookie, must be valid, as in `principal(_:)`.
    func admitCaller(_ request: Request) async throws {
        if request.headers["Authorization"] != nil {
            _ = try await apiKey(request)
        } else {
            _ = try await session(request)
        }
    }
}

/// Persons found on request heads, waiting for the handler of the same
/// request. Bounded: a request refused after its head (a body past the cap)
/// never comes to take its entry.
final class AdmittedPeople: @unchecked Sendable {
    // @unchecked: `byRequest` is only touched under `lock`.
    private let lock = NSLock()
    private var byRequest: [String: ResourcePerson] = [:]
    private let limit = 4096

    func keep(_ person: ResourcePerson, for requestID: String) {
        lock.withLock {
            if byRequest.count >= limit { byRequest.removeAll(keepingCapacity: true) }
            byRequest[requestID] = person
        }
    }

    func take(_ requestID: String) -> ResourcePerson? {
        lock.withLock { byRequest.removeValue(forKey: requestID) }
    }
}
