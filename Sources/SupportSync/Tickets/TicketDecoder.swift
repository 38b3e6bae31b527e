import YAML

/// Reads a ticket file's root mapping into a `TicketRecord`, reporting
/// through `NodeReader` like the agent decoder does, and remembering where
/// each key and value was written for later, located checks.
struct TicketDecoder {
    typealias Field = TicketRecord.Field

    let root: ConfigNode
    let file: String
    var reader: NodeReader
    var keyLocations: [String: SourceLocation] = [:]
    var valueLocations: [String: SourceLocation] = [:]

    init(root: ConfigNode, file: String, reader: NodeReader) {
        self.root = root
        self.file = file
        self.reader = reader
        // Every key, the customer's and a few fields: no growing on the way.
        keyLocations.reserveCapacity(32)
        valueLocations.reserveCapacity(32)
    }

    /// The record, or nil when a key is missing or cannot be read as its type.
    mutating func decode() -> TicketRecord? {
        // Reports unknown keys; values are looked up below so that a key
        // written as null can be told from a missing one.
        _ = reader.mapping(root, path: "the ticket", allowed: Field.allCases.map(\.rawValue))
        for member in root.members ?? [] { remember(member, path: member.key) }

        let id = text(.id)
        let agent = text(.agent)
        let channel = enumeration(.channel, as: Channel.self, rule: .ticketChannel)
        let conversation = text(.conversation)
        let createdAt = text(.createdAt)
        let reason = text(.reason)
        let summary = text(.summary)
        let customer = customer()
        let fields = fields()
        let tags = tags()
        let priority = enumeration(.priority, as: Priority.self, rule: .ticketPriority)
        let status = enumeration(.status, as: TicketStatus.self, rule: .ticketStatus)
        let assignee = optionalText(required(.assignee), path: Field.assignee.rawValue)
        let resolution = optionalText(required(.resolution), path: Field.resolution.rawValue)
        let erasure = erasure()

        guard let id, let agent, let channel, let conversation, let createdAt, let reason, let summary, let customer,
            let fields, let tags, let priority, let status, let assignee, let resolution, let erasure
        else { return nil }
        var record = TicketRecord(
            id: id, agent: agent, channel: channel, conversation: conversation, createdAt: createdAt, reason: reason,
            summary: summary, customer: customer, fields: fields, tags: tags, priority: priority, status: status,
            assignee: assignee, resolution: resolution)
        record.erasure = erasure
        return record
    }

    // MARK: Reading each kind of value

    /// The value of a top-level key, reporting it when missing.
    private mutating func required(_ field: Field) -> ConfigNode? {
        guard let member = root[field.rawValue] else {
            reader.report(
                .missingKey, at: root.location, "the ticket has no '\(field.rawValue)'",
                hint: "a ticket file has every key, null where empty; restore it from the file's history")
            return nil
        }
        return member.value
    }

    private mutating func text(_ field: Field) -> String? {
        guard let node = required(field) else { return nil }
        return nonNullText(node, path: field.rawValue)
    }

    /// Text that may not be null (null is refused as the wrong type, without
    /// NodeReader's hint to quote it, which would suggest an empty string).
    private mutating func nonNullText(_ node: ConfigNode, path: String) -> String? {
        if node.isNull {
            reader.report(.wrongType, at: node.location, "\(path) must be text, found null")
            return nil
        }
        return reader.string(node, path: path)?.value
    }

    /// Text or null: `.some(nil)` for null, nil when unusable.
    private mutating func optionalText(_ node: ConfigNode?, path: String) -> String?? {
        guard let node else { return nil }
        if node.isNull { return .some(nil) }
        guard let text = reader.string(node, path: path) else { return nil }
        return .some(text.value)
    }

    private mutating func enumeration<E: RawRepresentable & CaseIterable>(
        _ field: Field, as type: E.Type, rule: Rule
    ) -> E? where E.RawValue == String {
        guard let node = required(field) else { return nil }
        return reader.enumeration(node, path: field.rawValue, rule: rule)?.value
    }

    private mutating func customer() -> Customer? {
        guard let node = required(.customer),
            reader.mapping(node, path: "customer", allowed: TicketRecord.customerKeys) != nil
        else { return nil }
        let name = detail("name", of: node)
        let email = detail("email", of: node)
        let phone = detail("phone", of: node)
        guard let name, let email, let phone else { return nil }
        return Customer(name: name, email: email, phone: phone)
    }

    /// One of the customer's details: text or null, never left out.
    private mutating func detail(_ key: String, of customer: ConfigNode) -> String?? {
        guard let member = customer[key] else {
            reader.report(
                .missingKey, at: customer.location, "customer has no '\(key)'",
                hint: "write \(key): null when it is unknown")
            return nil
        }
        remember(member, path: "customer." + key)
        return optionalText(member.value, path: "customer." + key)
    }

    private mutating func fields() -> [String: String]? {
        guard let node = required(.fields), !node.isReported else { return nil }
        guard let members = node.members else {
            reader.report(.wrongType, at: node.location, "fields must be a mapping, found \(node.kindDescription)")
            return nil
        }
        var fields: [String: String] = [:]
        var usable = true
        for member in members {
            remember(member, path: "fields." + member.key)
            if let value = nonNullText(member.value, path: "fields." + member.key) {
                fields[member.key] = value
            } else {
                usable = false
            }
        }
        return usable ? fields : nil
    }

    /// The erasure record: `.some(nil)` when the key is absent (a ticket
    /// not erased), nil when it cannot be read.
    private mutating func erasure() -> Erasure?? {
        guard let node = root[Field.erasure.rawValue]?.value else { return .some(nil) }
        guard reader.mapping(node, path: "erasure", allowed: Erasure.keys) != nil else { return nil }
        var values: [String] = []
        for key in Erasure.keys {
            guard let member = node[key] else {
                reader.report(.missingKey, at: node.location, "erasure has no '\(key)'")
                return nil
            }
            remember(member, path: "erasure." + key)
            guard let value = nonNullText(member.value, path: "erasure." + key) else { return nil }
            values.append(value)
        }
        return .some(Erasure(at: values[0], by: values[1], reason: values[2]))
    }

    private mutating func tags() -> [String]? {
        guard let node = required(.tags), let items = reader.list(node, path: "tags") else { return nil }
        let tags = items.compactMap { nonNullText($0, path: "a tag") }
        return tags.count == items.count ? tags : nil
    }

    private mutating func remember(_ member: ConfigNode.Member, path: String) {
        keyLocations[path] = member.keyLocation
        valueLocations[path] = member.value.location
    }
}
