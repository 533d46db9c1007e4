import Foundation

/// The one encoder of response types: any `Encodable` written by
/// `JSONWriter`, keys sorted, and a nil optional written as `null`, never
/// left out, so a response's shape is the same whatever it holds (clients
/// and docs/openapi.yaml rely on every key being there). Foundation's
/// `JSONEncoder` drops nil keys and is several times slower on Linux.
public enum JSONResponseEncoder {
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let root = NodeBox()
        try value.encode(to: TreeEncoder(box: root, codingPath: []))
        var json = JSONWriter(capacity: 1024)
        root.node.write(to: &json)
        return json.bytes
    }
}

/// JSON already written by `JSONWriter`, placed as it is inside a response
/// type: a cached row, or a part written by hand for speed.
public struct JSONFragment: Encodable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init(writing: (inout JSONWriter) -> Void) {
        var json = JSONWriter(capacity: 256)
        writing(&json)
        bytes = json.bytes
    }

    /// Only `JSONResponseEncoder` knows how to place raw bytes.
    public func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath,
                                                     debugDescription: "a JSONFragment is written by JSONResponseEncoder only"))
    }
}

/// What was encoded, before it is written with sorted keys.
private indirect enum Node {
    case null, bool(Bool), integer(Int64), unsigned(UInt64), number(Double), string(String)
    case array([NodeBox]), object([String: NodeBox])
    /// Bytes already written by `JSONWriter` (`JSONFragment`).
    case raw([UInt8])

    func write(to json: inout JSONWriter) {
        switch self {
        case .null: json.null()
        case .bool(let value): json.bool(value)
        case .integer(let value): json.integer(value)
        case .unsigned(let value): json.integer(value)
        case .number(let value): json.number(value)
        case .string(let value): json.string(value)
        case .raw(let bytes): json.raw(bytes)
        case .array(let elements):
            json.raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { json.raw(",") }
                element.node.write(to: &json)
            }
            json.raw("]")
        case .object(let members):
            json.raw("{")
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { json.raw(",") }
                json.string(key)
                json.raw(":")
                members[key]!.node.write(to: &json)
            }
            json.raw("}")
        }
    }
}

/// A node containers can fill after handing it out (nested containers).
private final class NodeBox {
    var node: Node = .null
}

private struct TreeEncoder: Encoder {
    let box: NodeBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = box.node {} else { box.node = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = box.node {} else { box.node = .array([]) }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(box: box, codingPath: codingPath)
    }
}

/// Scalars as nodes; anything else through its own `encode(to:)`.
private func node(of value: some Encodable, codingPath: [any CodingKey]) throws -> NodeBox {
    let box = NodeBox()
    var container = SingleValueContainer(box: box, codingPath: codingPath)
    try container.encode(value)
    return box
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: NodeBox
    let codingPath: [any CodingKey]

    private func set(_ key: Key, _ child: NodeBox) {
        guard case .object(var members) = box.node else { return }
        box.node = .null  // so `members` alone holds its storage: no copy per key
        members[key.stringValue] = child
        box.node = .object(members)
    }

    mutating func encodeNil(forKey key: Key) throws {
        set(key, NodeBox())
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(key, try node(of: value, codingPath: codingPath + [key]))
    }

    // Nil optionals stay in the answer as null.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeIfPresent(value as (any Encodable)?, key) }

    private mutating func encodeIfPresent(_ value: (any Encodable)?, _ key: Key) throws {
        if let value { set(key, try node(of: value, codingPath: codingPath + [key])) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                        forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = NodeBox()
        child.node = .object([:])
        set(key, child)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = NodeBox()
        child.node = .array([])
        set(key, child)
        return UnkeyedContainer(box: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(forKey: Key(stringValue: "super")!)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = NodeBox()
        set(key, child)
        return TreeEncoder(box: child, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) { intValue = index; stringValue = String(index) }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: NodeBox
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let elements) = box.node { return elements.count }
        return 0
    }

    private func append(_ child: NodeBox) {
        guard case .array(var elements) = box.node else { return }
        box.node = .null  // so `elements` alone holds its storage: no copy per element
        elements.append(child)
        box.node = .array(elements)
    }

    mutating func encodeNil() throws {
        append(NodeBox())
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try node(of: value, codingPath: codingPath + [IndexKey(count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = NodeBox()
        child.node = .object([:])
        let path = codingPath + [IndexKey(count)]
        append(child)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = NodeBox()
        child.node = .array([])
        let path = codingPath + [IndexKey(count)]
        append(child)
        return UnkeyedContainer(box: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = NodeBox()
        let path = codingPath + [IndexKey(count)]
        append(child)
        return TreeEncoder(box: child, codingPath: path)
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let box: NodeBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.node = .null }
    mutating func encode(_ value: Bool) throws { box.node = .bool(value) }
    mutating func encode(_ value: String) throws { box.node = .string(value) }
    mutating func encode(_ value: Double) throws { box.node = .number(value) }
    mutating func encode(_ value: Float) throws { box.node = .number(Double(value)) }
    mutating func encode(_ value: Int) throws { box.node = .integer(Int64(value)) }
    mutating func encode(_ value: Int8) throws { box.node = .integer(Int64(value)) }
    mutating func encode(_ value: Int16) throws { box.node = .integer(Int64(value)) }
    mutating func encode(_ value: Int32) throws { box.node = .integer(Int64(value)) }
    mutating func encode(_ value: Int64) throws { box.node = .integer(value) }
    mutating func encode(_ value: UInt) throws { box.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { box.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { box.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { box.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { box.node = .unsigned(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as String: box.node = .string(value)
        case let value as Bool: box.node = .bool(value)
        case let value as Int: box.node = .integer(Int64(value))
        case let value as Int64: box.node = .integer(value)
        case let value as Double: box.node = .number(value)
        case let value as JSONFragment: box.node = .raw(value.bytes)
        default: try value.encode(to: TreeEncoder(box: box, codingPath: codingPath))
        }
    }
}
