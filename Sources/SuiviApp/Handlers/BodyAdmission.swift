import Foundation
import SuiviDomain
import SuiviHTTP

/// The checks `RouteBodies` runs on a request head before its body is read.
/// They prove who is calling and nothing more: the handler checks again, as
/// for any request, and decides what that caller may do.
extension Authentication {
    /// A body under `/key/:token/...`: the link must name a resource person.
    /// A failed lookup counts for the `GuessingLimiter` as in `person(_:)`.
    func admitPersonalLink(_ request: Request) async throws {
        _ = try await person(request)
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
