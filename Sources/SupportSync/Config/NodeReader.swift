import YAML

/// A value read from the user's files, with where it was written.
struct Located<Value> {
    var value: Value
    var location: SourceLocation
}

extension Located: Sendable where Value: Sendable {}

/// The known members of a mapping whose values are not null, looked up by
/// key. It holds at most the handful of keys allowed there, each once
/// (duplicates are dropped when the tree is built): too few for hashing to
/// pay, whatever the file.
struct KnownMembers {
    fileprivate(set) var members: [ConfigNode.Member] = []

    subscript(key: String) -> ConfigNode.Member? { members.first { $0.key == key } }
}

/// Typed reads from `ConfigNode`s that report every problem as a
/// diagnostic and return nil for a value that cannot be used, so checks
/// that depend on it stay quiet instead of cascading.
struct NodeReader {
    private(set) var diagnostics: [Diagnostic] = []
    /// What `diagnostics` holds, to tell a problem already reported at once
    /// (a file may report tens of thousands).
    private var reported: Set<Reported> = []

    private struct Reported: Hashable {
        var rule: Rule
        var location: SourceLocation
        var message: String
    }
    /// Set when checking a tree merged for one agent: problems located in
    /// another file (defaults.yaml) name the agent.
    var agent: String?

    /// A reader that goes on from `diagnostics` (what reading the file found).
    init(diagnostics: [Diagnostic] = []) {
        self.diagnostics = diagnostics
        reported = Set(diagnostics.map { Reported(rule: $0.rule, location: $0.location, message: $0.message) })
    }

    mutating func report(
        _ rule: Rule, at location: SourceLocation, _ message: String, hint: String? = nil,
        notes: [Diagnostic.Note] = []
    ) {
        // A value reached through several aliases is read once per alias;
        // its problem is still reported once.
        guard reported.insert(Reported(rule: rule, location: location, message: message)).inserted else { return }
        diagnostics.append(Diagnostic(rule, at: location, message, hint: hint, notes: notes))
    }

    /// Takes back the diagnostics reported since the first `count` that
    /// `shouldWithdraw` picks.
    mutating func withdraw(after count: Int, where shouldWithdraw: (Diagnostic) -> Bool) {
        var kept = Array(diagnostics[..<count])
        for diagnostic in diagnostics[count...] {
            if shouldWithdraw(diagnostic) {
                reported.remove(
                    Reported(rule: diagnostic.rule, location: diagnostic.location, message: diagnostic.message))
            } else {
                kept.append(diagnostic)
            }
        }
        diagnostics = kept
    }

    /// The members of a mapping, by key, after reporting unknown keys.
    /// Members whose value is null are left out: null means "not set".
    mutating func mapping(_ node: ConfigNode, path: String, allowed: [String]) -> KnownMembers? {
        if node.isReported { return nil }
        guard let members = node.members else {
            report(.wrongType, at: node.location, "\(path) must be a mapping, found \(node.kindDescription)")
            return nil
        }
        var result = KnownMembers()
        for member in members {
            guard allowed.contains(member.key) else {
                let suggestion = Suggestion.closest(to: member.key, in: allowed)
                let place = path.isEmpty ? "" : " in \(path)"
                report(
                    .unknownKey, at: member.keyLocation, "unknown key '\(member.key)'\(place)",
                    hint: suggestion.map { "did you mean '\($0)'?" }
                        ?? "expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            if !member.value.isNull { result.members.append(member) }
        }
        return result
    }

    /// A required `key` of `node` that is not there: reported at the null
    /// that removed it when one did (`removed`), else at `location`
    /// (`missing`), each a message and its hint.
    mutating func reportMissing(
        _ key: String, of node: ConfigNode, at location: SourceLocation, removed: (String, hint: String),
        missing: (String, hint: String)
    ) {
        if let null = nullKeyLocation(node, key) {
            report(.missingKey, at: null, removed.0, hint: removed.hint)
        } else {
            report(.missingKey, at: location, missing.0, hint: missing.hint)
        }
    }

    /// Where `key` of `node` is written as null: a required key removed by
    /// an explicit null (in an agent file, defaults or an overlay) is
    /// reported at that null, not at the mapping that lacks it.
    func nullKeyLocation(_ node: ConfigNode, _ key: String) -> SourceLocation? {
        guard let member = node[key], member.value.isNull else { return nil }
        return member.keyLocation
    }

    /// A text value. A plain scalar YAML 1.2 would read as something else (a
    /// number, a boolean) is refused with a hint to quote it.
    mutating func string(_ node: ConfigNode, path: String, quoteHint: String? = nil) -> Located<String>? {
        if node.isReported { return nil }
        guard let scalar = node.scalar else {
            report(.wrongType, at: node.location, "\(path) must be text, found \(node.kindDescription)")
            return nil
        }
        let type = scalar.coreType
        if type != .string {
            let what = type == .null ? "null" : node.kindDescription
            report(
                .quoteString, at: node.location,
                "\(path) must be text; unquoted, '\(scalar.text)' is read as \(what)",
                hint: quoteHint ?? "quote it: \"\(scalar.text)\"")
            return nil
        }
        return Located(value: scalar.text, location: node.location)
    }

    /// `true` or `false`, exactly.
    mutating func bool(_ node: ConfigNode, path: String) -> Located<Bool>? {
        if node.isReported { return nil }
        guard let scalar = node.scalar else {
            report(.wrongType, at: node.location, "\(path) must be true or false, found \(node.kindDescription)")
            return nil
        }
        guard scalar.style == .plain, scalar.tag == nil, scalar.text == "true" || scalar.text == "false" else {
            let yes = ["yes", "y", "on", "True", "TRUE"].contains(scalar.text)
            let no = ["no", "n", "off", "False", "FALSE"].contains(scalar.text)
            report(
                .invalidBoolean, at: node.location, "\(path) must be true or false, found '\(scalar.text)'",
                hint: yes ? "write true" : no ? "write false" : nil)
            return nil
        }
        return Located(value: scalar.text == "true", location: node.location)
    }

    /// A plain decimal integer without leading zeros.
    mutating func integer(_ node: ConfigNode, path: String) -> Located<Int>? {
        if node.isReported { return nil }
        guard let scalar = node.scalar else {
            report(.wrongType, at: node.location, "\(path) must be a whole number, found \(node.kindDescription)")
            return nil
        }
        guard scalar.style == .plain, scalar.tag == nil else {
            report(
                .invalidInteger, at: node.location, "\(path) must be a whole number, found '\(scalar.text)'",
                hint: "write the number without quotes")
            return nil
        }
        let text = scalar.text
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            digits == "0" || !digits.hasPrefix("0")
        else {
            var hint: String?
            if let trimmed = Int(text.drop { $0 == "0" }), text.hasPrefix("0") {
                hint = "write \(trimmed): a leading zero makes some YAML readers read an octal number"
            }
            report(.invalidInteger, at: node.location, "\(path) must be a whole number, found '\(text)'", hint: hint)
            return nil
        }
        // A whole number too large for Int is still a whole number: the
        // caller's range check reports it, so it saturates here.
        let value = Int(text) ?? (text.hasPrefix("-") ? Int.min : Int.max)
        return Located(value: value, location: node.location)
    }

    /// One of the raw values of `E`, exactly (lower case). Suggests the
    /// closest value, or the one a synonym stands for.
    mutating func enumeration<E: RawRepresentable & CaseIterable>(
        _ node: ConfigNode, path: String, rule: Rule = .invalidValue, synonyms: [String: E] = [:]
    ) -> Located<E>? where E.RawValue == String {
        if node.isReported { return nil }
        let allowed = E.allCases.map(\.rawValue)
        guard let scalar = node.scalar else {
            report(
                .wrongType, at: node.location,
                "\(path) must be one of \(allowed.joined(separator: ", ")), found \(node.kindDescription)")
            return nil
        }
        if let value = E(rawValue: scalar.text) { return Located(value: value, location: node.location) }
        let suggestion =
            synonyms[scalar.text.lowercased()]?.rawValue ?? Suggestion.closest(to: scalar.text, in: allowed)
        report(
            rule, at: node.location,
            "'\(scalar.text)' is not a valid \(path); expected one of: \(allowed.joined(separator: ", "))",
            hint: suggestion.map { "did you mean '\($0)'?" })
        return nil
    }

    /// A list. A single scalar where a list is expected is refused with a hint.
    mutating func list(_ node: ConfigNode, path: String) -> [ConfigNode]? {
        if node.isReported { return nil }
        if let items = node.items { return items }
        let hint = node.scalar.map { "write it as a list: [\($0.text)]" }
        report(.wrongType, at: node.location, "\(path) must be a list, found \(node.kindDescription)", hint: hint)
        return nil
    }

    /// Checks a text's length in characters.
    mutating func checkLength(_ text: Located<String>, path: String, max: Int, rule: Rule = .textLength) -> Bool {
        // Unicode scalars, as JSON Schema's maxLength counts them.
        let length = text.value.unicodeScalars.count
        guard length <= max else {
            report(rule, at: text.location, "\(path) is \(length) characters long; the limit is \(max)")
            return false
        }
        return true
    }
}
