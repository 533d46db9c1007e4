import Foundation

/// A resource person as the rest of the server needs them.
public struct ResourcePerson: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let phone: String
    public let departementCode: String
    public let organisation: String?
    public let active: Bool

    public init(id: Int64, name: String, phone: String, departementCode: String, organisation: String?, active: Bool) {
        self.id = id
        self.name = name
        self.phone = phone
        self.departementCode = departementCode
        self.organisation = organisation
        self.active = active
    }
}
