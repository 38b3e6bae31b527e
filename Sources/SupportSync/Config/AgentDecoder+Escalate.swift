extension AgentDecoder {
    static let escalateKeys = ["destinations", "transfer", "summary", "announce", "ring_timeout", "hours", "fallback"]
    static let destinationKeys = ["name", "number", "sip", "extension"]

    mutating func decodeEscalate(_ node: ConfigNode) -> EscalateSettings? {
        guard let members = reader.mapping(node, path: "support.escalate", allowed: Self.escalateKeys) else {
            return nil
        }
        var settings = EscalateSettings(destinations: [])
        if let member = members["destinations"] {
            settings.destinations = destinations(member.value)
        }
        var transferLocation: SourceLocation?
        if let member = members["transfer"],
            let transfer = reader.enumeration(member.value, path: "support.escalate.transfer") as Located<Transfer>?
        {
            settings.transfer = transfer.value
            transferLocation = transfer.location
        }
        // A cold transfer gives no summary unless told to, which is then an error.
        settings.summary = settings.transfer == .warm
        if let member = members["summary"], let summary = reader.bool(member.value, path: "support.escalate.summary") {
            settings.summary = summary.value
            if summary.value && settings.transfer == .cold {
                // The cold transfer may come from the other file (defaults): pointed at.
                let notes =
                    transferLocation.map { location in
                        location.file == summary.location.file
                            ? [] : [Diagnostic.Note(location: location, message: "transfer: cold is set here")]
                    } ?? []
                reader.report(
                    .coldTransferSummary, at: summary.location,
                    "a cold transfer connects the caller straight away: there is no moment to give the summary",
                    hint: "use transfer: warm, or set summary: false", notes: notes)
            }
        }
        if let member = members["announce"],
            let announce = reader.string(member.value, path: "support.escalate.announce"),
            reader.checkLength(announce, path: "support.escalate.announce", max: Patterns.announceMaxLength)
        {
            settings.announce = announce.value
        }
        if let member = members["ring_timeout"],
            let timeout = reader.integer(member.value, path: "support.escalate.ring_timeout")
        {
            if Patterns.ringTimeout.contains(timeout.value) {
                settings.ringTimeout = timeout.value
            } else {
                reader.report(
                    .ringTimeout, at: timeout.location,
                    "ring_timeout is \(member.value.scalar?.text ?? String(timeout.value)) seconds; it must be between \(Patterns.ringTimeout.lowerBound) and \(Patterns.ringTimeout.upperBound)"
                )
            }
        }
        if let member = members["hours"] {
            settings.hours = decodeHours(member.value, keyLocation: member.keyLocation)
        }
        if let member = members["fallback"],
            let fallback = reader.enumeration(member.value, path: "support.escalate.fallback") as Located<Fallback>?
        {
            settings.fallback = fallback.value
        }
        return settings
    }

    private mutating func destinations(_ node: ConfigNode) -> [Destination] {
        guard let items = reader.list(node, path: "support.escalate.destinations") else { return [] }
        if items.isEmpty {
            if canonical { return [] }
            reader.report(
                .destinationCount, at: node.location, "support.escalate.destinations is empty",
                hint: "list 1 to \(Patterns.maxDestinations) destinations, tried in order")
            return []
        }
        if items.count > Patterns.maxDestinations {
            reader.report(
                .destinationCount, at: items[Patterns.maxDestinations].location,
                "support.escalate.destinations has \(items.count) entries; at most \(Patterns.maxDestinations) are tried"
            )
        }
        var result: [Destination] = []
        var names: [String: SourceLocation] = [:]
        for item in items {
            guard let destination = destination(item) else { continue }
            if let first = names[destination.value.name] {
                reader.report(
                    .destinationName, at: destination.location,
                    "two destinations are named '\(destination.value.name)'",
                    notes: [Diagnostic.Note(location: first, message: "first named here")])
            } else {
                names[destination.value.name] = destination.location
            }
            result.append(destination.value)
        }
        return result
    }

    private mutating func destination(_ node: ConfigNode) -> Located<Destination>? {
        let path = "destination"
        guard let members = reader.mapping(node, path: path, allowed: Self.destinationKeys) else { return nil }
        var name: Located<String>?
        if let member = members["name"] {
            name = reader.string(member.value, path: "destination name")
            if let text = name,
                text.value.isEmpty || text.value.unicodeScalars.count > Patterns.destinationNameMaxLength
            {
                reader.report(
                    .destinationName, at: text.location,
                    "a destination name must be 1 to \(Patterns.destinationNameMaxLength) characters")
                name = nil
            }
        } else {
            reader.report(
                .missingKey, at: node.location, "this destination has no 'name'", hint: "add name: front-desk")
        }
        var destination = Destination(name: name?.value ?? "")
        if let member = members["number"] {
            let quoted = member.value.scalar.map { "quote the number: \"\($0.text)\"" }
            if let number = reader.string(member.value, path: "number", quoteHint: quoted) {
                if Patterns.isE164(number.value) {
                    destination.number = number.value
                } else {
                    let digits = number.value.filter { $0.isNumber || $0 == "+" }
                    reader.report(
                        .phoneNumber, at: number.location,
                        "'\(number.value)' is not an E.164 number: '+', a country code and 7 to 14 more digits, nothing else",
                        hint: Patterns.isE164(digits) ? "write \"\(digits)\"" : nil)
                }
            }
        }
        if let member = members["sip"], let sip = reader.string(member.value, path: "sip") {
            if Patterns.isSIPURI(sip.value) {
                destination.sip = sip.value
            } else {
                reader.report(
                    .sipURI, at: sip.location,
                    "'\(sip.value)' is not a SIP URI like sip:user@host or sips:user@host:5061")
            }
        }
        if (members["number"] == nil) == (members["sip"] == nil) {
            let both = members["number"] != nil
            reader.report(
                .destinationTarget, at: node.location,
                both
                    ? "this destination has both a number and a sip address"
                    : "this destination has neither a number nor a sip address",
                hint: "give exactly one of number or sip")
        }
        if let member = members["extension"] {
            let quoted = member.value.scalar.map { "quote the extension: \"\($0.text)\"" }
            if let ext = reader.string(member.value, path: "extension", quoteHint: quoted) {
                if Patterns.isExtension(ext.value) {
                    destination.extension = ext.value
                } else {
                    reader.report(
                        .extensionFormat, at: ext.location,
                        "'\(ext.value)' is not an extension: 1 to 20 of 0-9, * and #")
                }
            }
        }
        return name.map { Located(value: destination, location: $0.location) }
    }
}
