import Foundation

/// Roles as the access rules know them.
public enum Role: String, Sendable, CaseIterable {
    case admin, coordinator, viewer, membership
}

/// A key another system calls the API with (stored only as a hash).
public struct APIKey: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let role: Role
    public let regionCode: String?

    public init(id: Int64, name: String, role: Role, regionCode: String?) {
        self.id = id
        self.name = name
        self.role = role
        self.regionCode = regionCode
    }
}
