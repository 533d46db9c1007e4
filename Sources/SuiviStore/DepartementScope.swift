import GRDB

/// The départements a caller may see, as the store applies it: the one
/// scope filter of queries that return personal data, so that a route
/// cannot forget what it never writes. Nil codes mean national scope:
/// every département, and records that have none.
public struct DepartementScope: Sendable {
    public let departementCodes: [String]?

    public init(departementCodes: [String]?) {
        self.departementCodes = departementCodes
    }

    public static let national = DepartementScope(departementCodes: nil)

    public var isNational: Bool { departementCodes == nil }

    /// Whether a record placed in `departementCode` is within scope; a
    /// record with no département is seen nationally only.
    public func includes(_ departementCode: String?) -> Bool {
        guard let codes = departementCodes else { return true }
        guard let departementCode else { return false }
        return codes.contains(departementCode)
    }

    /// ` AND column IN (…)` and its arguments, or nothing for national scope.
    func filter(_ column: String) -> (sql: String, arguments: StatementArguments) {
        guard let codes = departementCodes else { return ("", []) }
        return (" AND \(column) IN (\(SQLText.placeholders(codes.count)))", StatementArguments(codes))
    }
}
