extension YAMLValue {
    /// `value` as the tree its JSON encoding reads back as (`JSONEncoder`,
    /// then `YAMLValue`'s `Decodable`), built directly: maps with their keys
    /// sorted, a nil that is skipped left out, numbers as `int`. It writes
    /// no JSON text and parses none, so flattening settings for a diff
    /// costs a fraction of the round trip.
    ///
    /// A number that is not whole throws, as the round trip fails for it,
    /// and so do a float from 2^53 (2^24 for `Float`) up and a value that
    /// encodes nothing.
    /// Types `JSONEncoder` writes by a strategy of its own rather than
    /// their `encode(to:)` (`Data`, `URL`, `Decimal`) come out as their
    /// `encode(to:)` writes them: settings hold none.
    public init(encoding value: some Encodable) throws {
        let root = TreeNode()
        try TreeEncoder.encode(value, into: root, at: [])
        guard root.kind != .unset else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "the value encoded nothing, as JSONEncoder refuses"))
        }
        self = root.value()
    }
}

/// What an encoding builds, filled in as containers are asked for and written.
private final class TreeNode {
    enum Kind {
        case unset, scalar, map, list
    }

    var kind = Kind.unset
    var scalar = YAMLValue.null
    var members: [String: TreeNode] = [:]
    var items: [TreeNode] = []

    func value() -> YAMLValue {
        switch kind {
        // A value that asked for no container, inside another: JSONEncoder writes `{}`.
        case .unset: return .map([])
        case .scalar: return scalar
        case .map: return .map(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value.value()) })
        case .list: return .list(items.map { $0.value() })
        }
    }

    func set(_ value: YAMLValue) {
        kind = .scalar
        scalar = value
    }

    /// A new node for `key`, replacing what was encoded there.
    func child(_ key: String) -> TreeNode {
        let node = TreeNode()
        members[key] = node
        return node
    }

    /// The node already at `key`, else a new one: asking twice for a
    /// nested container under one key writes into the same one, as
    /// JSONEncoder does.
    func existingChild(_ key: String) -> TreeNode {
        members[key] ?? child(key)
    }

    func appended() -> TreeNode {
        let node = TreeNode()
        items.append(node)
        return node
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// The scalars JSON has, from Swift's; the rest throw.
private enum Scalars {
    static func value(_ value: some Encodable, at path: [any CodingKey]) throws -> YAMLValue? {
        switch value {
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(number)
        case let number as Int8: return .int(Int(number))
        case let number as Int16: return .int(Int(number))
        case let number as Int32: return .int(Int(number))
        case let number as Int64: return try whole(Int(exactly: number), number, path)
        case let number as UInt: return try whole(Int(exactly: number), number, path)
        case let number as UInt8: return .int(Int(number))
        case let number as UInt16: return .int(Int(number))
        case let number as UInt32: return .int(Int(number))
        case let number as UInt64: return try whole(Int(exactly: number), number, path)
        // JSON writes a float's shortest text, which for 2^53 and more (2^24
        // for Float) reads back as another whole number: refused.
        case let number as Double: return try whole(abs(number) < 0x1p53 ? Int(exactly: number) : nil, number, path)
        case let number as Float: return try whole(abs(number) < 0x1p24 ? Int(exactly: number) : nil, number, path)
        default: return nil
        }
    }

    private static func whole(_ exact: Int?, _ number: Any, _ path: [any CodingKey]) throws -> YAMLValue {
        guard let exact else {
            throw EncodingError.invalidValue(
                number, .init(codingPath: path, debugDescription: "\(number) does not read back as an Int"))
        }
        return .int(exact)
    }
}

private struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.kind != .map {
            node.kind = .map
            node.members = [:]
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.kind != .list {
            node.kind = .list
            node.items = []
        }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }

    /// Encodes `value` into `node`: a scalar at once, anything else through its own `encode(to:)`.
    static func encode(_ value: some Encodable, into node: TreeNode, at path: [any CodingKey]) throws {
        if let scalar = try Scalars.value(value, at: path) {
            node.set(scalar)
        } else {
            try value.encode(to: TreeEncoder(node: node, codingPath: path))
        }
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        node.child(key.stringValue).set(.null)
    }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try TreeEncoder.encode(value, into: node.child(key.stringValue), at: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        TreeEncoder(node: node.existingChild(key.stringValue), codingPath: codingPath + [key]).container(
            keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.existingChild(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.existingChild("super"), codingPath: codingPath + [SuperKey()])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: node.existingChild(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var count: Int { node.items.count }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(count)] }

    mutating func encodeNil() throws {
        node.appended().set(.null)
    }

    mutating func encode(_ value: some Encodable) throws {
        let path = nextPath
        try TreeEncoder.encode(value, into: node.appended(), at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let path = nextPath
        return TreeEncoder(node: node.appended(), codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        return TreeEncoder(node: node.appended(), codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        return TreeEncoder(node: node.appended(), codingPath: path)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws {
        node.set(.null)
    }

    mutating func encode(_ value: some Encodable) throws {
        try TreeEncoder.encode(value, into: node, at: codingPath)
    }
}
