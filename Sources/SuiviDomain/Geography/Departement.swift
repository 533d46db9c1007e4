import Foundation

/// One of the 46 départements, with the region it belongs to; codes are
/// stable slugs ("keur-massar") used in URLs, scope checks and tallies.
public struct Departement: Sendable, Equatable {
    public let code: String
    public let name: String
    public let regionCode: String
    public let region: String

    public init(code: String, name: String, regionCode: String, region: String) {
        self.code = code
        self.name = name
        self.regionCode = regionCode
        self.region = region
    }
}
