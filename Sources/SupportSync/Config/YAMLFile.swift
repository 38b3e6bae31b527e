import YAML

/// Reads one YAML file of the user's into a single `ConfigNode` document,
/// turning every reading problem into a diagnostic.
enum YAMLFile {
    /// What a file's root must be.
    enum Root {
        /// A mapping: an agent, defaults, an overlay, supportsync.yaml.
        case mapping
        /// A list of scenarios (`config/tests/*.yaml`).
        case scenarios
    }

    /// The root mapping of `bytes` (or list, for `.scenarios`), or nil when
    /// the file cannot be used (the reason is in `diagnostics`).
    /// - Parameter allowAliases: config may share values with anchors and
    ///   aliases (bounded); a ticket file, which only the tool writes, may not.
    static func load(
        _ bytes: [UInt8], file: String, diagnostics: inout [Diagnostic], root expected: Root = .mapping,
        allowAliases: Bool = true
    ) -> ConfigNode? {
        var aliases = AliasUses()
        return load(
            bytes, file: file, diagnostics: &diagnostics, aliases: &aliases, root: expected, allowAliases: allowAliases)
    }

    /// Where an anchored value is used again: for each place inside an
    /// anchored node (the node, its keys, everything below), a note at each
    /// alias that repeats it. A problem of the value found where it is used
    /// through an alias is reported where the value is written (once, however
    /// often it is used); the note says which alias brought it there.
    struct AliasUses: Sendable {
        var notes: [SourceLocation: [Diagnostic.Note]] = [:]
        /// Each alias of a scalar, by where it is written, and the anchored
        /// scalar's place: the copy is located at the alias, so the same
        /// problem found there is folded into the anchor's (`folding`).
        var scalarAnchors: [SourceLocation: (anchor: SourceLocation, note: Diagnostic.Note)] = [:]

        var isEmpty: Bool { notes.isEmpty && scalarAnchors.isEmpty }

        subscript(place: SourceLocation) -> [Diagnostic.Note]? { notes[place] }

        /// `diagnostics` of `file` with a scalar's problem repeated at an
        /// alias (the same rule and message as at its anchor) reported once,
        /// at the anchor, with a note at the alias (at most `maxAliasNotes`),
        /// and the notes of `notes` added where they belong.
        func folding(_ diagnostics: [Diagnostic], in file: String) -> [Diagnostic] {
            var result = diagnostics
            var folded: Set<Int> = []
            for (index, diagnostic) in diagnostics.enumerated() where diagnostic.location.file == file {
                result[index].notes += notes[diagnostic.location] ?? []
            }
            for (index, diagnostic) in diagnostics.enumerated() where diagnostic.location.file == file {
                guard let alias = scalarAnchors[diagnostic.location],
                    let anchored = diagnostics.firstIndex(where: {
                        $0.location == alias.anchor && $0.rule == diagnostic.rule && $0.message == diagnostic.message
                    })
                else { continue }
                folded.insert(index)
                if result[anchored].notes.count < maxAliasNotes { result[anchored].notes.append(alias.note) }
            }
            return result.indices.filter { !folded.contains($0) }.map { result[$0] }
        }
    }

    /// As `load(_:file:diagnostics:root:allowAliases:)`, also filling `aliases`.
    static func load(
        _ bytes: [UInt8], file: String, diagnostics: inout [Diagnostic], aliases: inout AliasUses,
        root expected: Root = .mapping, allowAliases: Bool = true
    ) -> ConfigNode? {
        let emptyHint =
            expected != .mapping
            ? "write a list of scenarios, or delete the file"
            : file.hasPrefix("config/agents/")
                ? "write the agent's settings, or delete the file"
                : file == "config/defaults.yaml"
                    ? "write the support: block every agent inherits, or delete the file"
                    : "write this file's settings, or delete it"
        let start = SourceLocation(file: file, line: 1, column: 1)
        let documents: [Document]
        do {
            documents = try YAMLReader.read(bytes)
        } catch {
            let location = SourceLocation(file: file, line: error.mark.line, column: error.mark.column)
            let rule: Rule
            var hint: String?
            switch error.kind {
            case .syntax: rule = .yamlSyntax
            case .encoding:
                rule = .yamlEncoding
                // Bytes that are not UTF-8; a character YAML does not allow says what to do itself.
                hint = error.message.contains("not valid UTF-8") ? "save the file as UTF-8" : nil
            case .limit:
                rule = .yamlLimit
                hint = "config files are small; a file this large or this nested is refused"
            case .undefinedAlias: rule = .yamlAlias
            }
            diagnostics.append(Diagnostic(rule, at: location, error.message, hint: hint))
            return nil
        }
        guard let first = documents.first else {
            diagnostics.append(
                Diagnostic(
                    .emptyFile, at: start, "the file is empty", hint: emptyHint))
            return nil
        }
        if documents.count > 1 {
            let second = documents[1].start
            diagnostics.append(
                Diagnostic(
                    .multipleDocuments, at: SourceLocation(file: file, line: second.line, column: second.column),
                    "the file holds \(documents.count) YAML documents; it must hold one",
                    hint: file.hasPrefix("config/agents/")
                        ? "put each agent in its own file" : "remove the '---' and what follows it, or merge the two"))
            return nil
        }
        if !allowAliases, let mark = firstAnchorOrAlias(in: first.root) {
            diagnostics.append(
                Diagnostic(
                    .yamlAlias, at: SourceLocation(file: file, line: mark.line, column: mark.column),
                    "a ticket file holds no anchors or aliases (& and *); tickets pull never writes them",
                    hint: "write the value out in full, or restore the file from its history"))
            return nil
        }
        // A tag on a list or mapping: the values' tags are checked as they are built.
        for (tag, mark) in first.collectionTags {
            diagnostics.append(
                Diagnostic(
                    .yamlTag, at: SourceLocation(file: file, line: mark.line, column: mark.column),
                    "the tag \(ConfigNode.shortTag(tag)) is not supported here", hint: "remove the tag"))
        }
        let root = ConfigNode.build(first.root, file: file, diagnostics: &diagnostics)
        if allowAliases, first.hasAliases {
            collectAliasUses(in: first.root, file: file, into: &aliases)
        }
        if root.isNull {
            diagnostics.append(
                Diagnostic(
                    .emptyFile, at: start, "the file is empty", hint: emptyHint))
            return nil
        }
        if expected == .scenarios {
            guard root.items != nil else {
                diagnostics.append(
                    Diagnostic(
                        .wrongType, at: root.location,
                        "a scenario file must be a list of scenarios, not \(root.kindDescription)",
                        hint: "start each scenario with '- name: ...'"))
                return nil
            }
            return root
        }
        guard root.members != nil else {
            diagnostics.append(
                Diagnostic(
                    .notAMapping, at: root.location,
                    "the file must be a mapping of keys to values, not \(root.kindDescription)"))
            return nil
        }
        return root
    }

    /// Fills `aliases` for every alias below `node` (written ones, not those
    /// inside what an alias repeats).
    private static func collectAliasUses(in node: Node, file: String, into aliases: inout AliasUses) {
        func location(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        /// Every place a problem of `node` can be reported at.
        func places(_ node: Node, _ found: inout Set<SourceLocation>) {
            found.insert(location(node.start))
            switch node.kind {
            case .scalar, .alias: break
            case .sequence(let items): for item in items { places(item, &found) }
            case .mapping(let entries):
                for entry in entries {
                    found.insert(location(entry.key.start))
                    places(entry.value, &found)
                }
            }
        }
        switch node.kind {
        case .scalar: break
        case .alias(let name, let target):
            var found: Set<SourceLocation> = []
            places(target, &found)
            // The copy's own node is located at the alias: a problem at the
            // anchored node's start is the anchor's own use.
            found.remove(location(target.start))
            let note = Diagnostic.Note(location: location(node.start), message: "used here through the alias *\(name)")
            for place in found where (aliases.notes[place]?.count ?? 0) < maxAliasNotes {
                aliases.notes[place, default: []].append(note)
            }
            if case .scalar = target.kind {
                aliases.scalarAnchors[location(node.start)] = (location(target.start), note)
            }
        case .sequence(let items):
            for item in items { collectAliasUses(in: item, file: file, into: &aliases) }
        case .mapping(let entries):
            for entry in entries { collectAliasUses(in: entry.value, file: file, into: &aliases) }
        }
    }

    /// The most alias notes one problem carries.
    static let maxAliasNotes = 3

    /// Where the first anchor or alias of `node` is, depth first. Each node
    /// is looked at once (a lazy `compactMap(...).first` would look at the
    /// found child twice, once for the index and once for the element: twice
    /// per level, exponential in the nesting).
    private static func firstAnchorOrAlias(in node: Node) -> Mark? {
        if node.anchor != nil { return node.start }
        switch node.kind {
        case .alias: return node.start
        case .scalar: return nil
        case .sequence(let items):
            for item in items { if let mark = firstAnchorOrAlias(in: item) { return mark } }
            return nil
        case .mapping(let entries):
            for entry in entries {
                if let mark = firstAnchorOrAlias(in: entry.key) ?? firstAnchorOrAlias(in: entry.value) { return mark }
            }
            return nil
        }
    }
}
