/// Two response types' fields in one JSON object: a resource (a person, a
/// département, a lead, a user) and what a route adds about it, each
/// declared once. Both write into the same keyed container, so the second
/// must only add keys (one it shares with the first would replace it).
struct MergedResponse<First: Encodable, Second: Encodable>: Encodable {
    let first: First
    let second: Second

    func encode(to encoder: any Encoder) throws {
        try first.encode(to: encoder)
        try second.encode(to: encoder)
    }
}

extension MergedResponse: Sendable where First: Sendable, Second: Sendable {}
