extension AgentDecoder {
    static let flagKeys = ["collect", "priority", "tags"]
    static let collectKeys = ["field", "required", "label"]

    mutating func decodeFlag(_ node: ConfigNode) -> FlagSettings? {
        guard let members = reader.mapping(node, path: "support.flag", allowed: Self.flagKeys) else { return nil }
        var settings = FlagSettings()
        if let member = members["collect"], let items = reader.list(member.value, path: "support.flag.collect") {
            reportCount(items, path: "support.flag.collect", max: Patterns.maxCollect, rule: .collectField)
            var seen: [String: SourceLocation] = [:]
            for item in items {
                guard let field = collectField(item) else { continue }
                if let first = seen[field.value.field] {
                    reader.report(
                        .collectRepeated, at: field.location, "the field '\(field.value.field)' is collected twice",
                        notes: [Diagnostic.Note(location: first, message: "first collected here")])
                    continue
                }
                seen[field.value.field] = field.location
                settings.collect.append(field.value)
            }
        }
        if let member = members["priority"],
            let priority = reader.enumeration(member.value, path: "support.flag.priority", rule: .priority)
                as Located<Priority>?
        {
            settings.priority = priority.value
        }
        if let member = members["tags"], let items = reader.list(member.value, path: "support.flag.tags") {
            reportCount(items, path: "support.flag.tags", max: Patterns.maxTags, rule: .tagFormat)
            var seen: Set<String> = []
            for item in items {
                guard let tag = reader.string(item, path: "tag") else { continue }
                if !Patterns.isTag(tag.value) {
                    reader.report(
                        .tagFormat, at: tag.location,
                        "'\(tag.value)' is not a valid tag: 1 to 40 lower-case letters, digits and '-', starting with a letter or digit",
                        hint: Patterns.isTag(tag.value.lowercased()) ? "write '\(tag.value.lowercased())'" : nil)
                } else if !seen.insert(tag.value).inserted {
                    reader.report(.tagFormat, at: tag.location, "the tag '\(tag.value)' is listed twice")
                } else {
                    settings.tags.append(tag.value)
                }
            }
        }
        return settings
    }

    /// Reports a list longer than `max`, at its first entry past the limit.
    mutating func reportCount(_ items: [ConfigNode], path: String, max: Int, rule: Rule) {
        guard items.count > max else { return }
        reader.report(rule, at: items[max].location, "\(path) has \(items.count) entries; the limit is \(max)")
    }

    /// A `collect` entry: a built-in name, or `{field, required, label}`.
    private mutating func collectField(_ node: ConfigNode) -> Located<CollectField>? {
        let builtIns = CollectField.builtIns
        if let scalar = node.scalar, !node.isNull {
            guard let name = reader.string(node, path: "support.flag.collect entry") else { return nil }
            guard builtIns.contains(name.value) else {
                var hint = "for a custom field write '- field: \(name.value)'"
                if let suggestion = Suggestion.closest(to: scalar.text, in: builtIns) {
                    hint = "did you mean '\(suggestion)'?"
                }
                reader.report(
                    .collectField, at: node.location,
                    "'\(name.value)' is not a built-in field (\(builtIns.joined(separator: ", ")))", hint: hint)
                return nil
            }
            return Located(value: CollectField(field: name.value), location: node.location)
        }
        guard let members = reader.mapping(node, path: "support.flag.collect entry", allowed: Self.collectKeys) else {
            return nil
        }
        guard let fieldMember = members["field"] else {
            reader.report(.missingKey, at: node.location, "this collect entry has no 'field'", hint: "add field: name")
            return nil
        }
        guard let field = reader.string(fieldMember.value, path: "field") else { return nil }
        guard builtIns.contains(field.value) || Patterns.isCustomField(field.value) else {
            reader.report(
                .collectField, at: field.location,
                "'\(field.value)' is not a valid field name: a built-in (\(builtIns.joined(separator: ", "))) or 1 to 40 lower-case letters, digits and '_', starting with a letter",
                hint: Patterns.isCustomField(field.value.lowercased()) ? "write '\(field.value.lowercased())'" : nil)
            return nil
        }
        var collect = CollectField(field: field.value)
        if let member = members["required"], let required = reader.bool(member.value, path: "required") {
            collect.required = required.value
        }
        if let member = members["label"], let label = reader.string(member.value, path: "label"),
            reader.checkLength(label, path: "label", max: Patterns.labelMaxLength)
        {
            collect.label = label.value
        }
        return Located(value: collect, location: field.location)
    }
}
