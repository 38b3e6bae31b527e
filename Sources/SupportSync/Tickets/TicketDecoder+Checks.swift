/// The checks on a ticket's values once every key has been read: formats,
/// sealed values and where the file sits.
extension TicketDecoder {
    mutating func check(_ record: TicketRecord, sealing: Sealing) {
        let idIsSafe = TicketPaths.isSafeID(record.id)
        if !idIsSafe {
            reader.report(
                .ticketID, at: location(of: .id),
                "'\(record.id)' is not a ticket id; it must match \(TicketPaths.idPattern)",
                hint: "ticket ids come from the platform; restore the id the file had")
        }
        if !Patterns.isAgentID(record.agent) {
            reader.report(
                .ticketAgent, at: location(of: .agent),
                "'\(record.agent)' is not an agent id; it must match \(Patterns.agentID)")
        }
        let time = TicketTimestamp(record.createdAt)
        if time == nil {
            reader.report(
                .ticketCreatedAt, at: location(of: .createdAt),
                "created_at '\(record.createdAt)' is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ",
                hint: "write it as RFC 3339 in UTC, quoted: \"2026-11-24T10:02:11Z\" (fractional seconds allowed)")
        }
        // A resolved ticket without a resolution still reads: a platform may
        // close one without a word, and its file must be workable. Audit
        // holds the team's own changes to the rule (`TicketAudit`).
        if idIsSafe, let time {
            checkPath(id: record.id, createdAt: record.createdAt, time: time)
        }
        checkSealed(record, sealing: sealing)
    }

    /// Sealed values must be well formed and sealed with one key, the
    /// ticket's own: a value sealed with another key was moved from another
    /// ticket. An erased ticket holds no customer data at all. Without the
    /// key, this is all that can be checked; the audit compares the bytes.
    ///
    /// Only the places `sealing` covers hold sealed values: elsewhere a
    /// value is what the customer wrote, and text that merely starts like a
    /// sealed value (`sealed:v1:...` as someone's name) must read.
    private mutating func checkSealed(_ record: TicketRecord, sealing: Sealing) {
        let sealedPaths = Set(sealing.places(in: record).map(\.path))
        for place in SealedPlace.all(in: record) {
            guard case .some(.some(let text)) = place.value(in: record) else { continue }
            let at = valueLocations[place.path] ?? root.location
            if record.erasure != nil {
                if !text.isEmpty {
                    reader.report(
                        .ticketSealed, at: at, "the ticket's customer data was erased, but \(place.path) holds a value",
                        hint: "an erased ticket is written by tickets pull; restore the file from the pull's commit")
                }
                continue
            }
            guard sealedPaths.contains(place.path), SealedValue.isSealed(text),
                case .failure(let problem) = SealedValue.keyID(of: text)
            else { continue }
            reader.report(
                .ticketSealed, at: at, "\(place.path) is not a sealed value: \(problem)",
                hint: "sealed values come from the platform; restore the value from the file's history")
        }
        guard record.erasure == nil, let mixed = SealedValue.mixedKeys(in: record, sealing: sealing) else { return }
        for (place, keyID) in mixed.others {
            reader.report(
                .ticketSealed, at: valueLocations[place.path] ?? root.location,
                "\(place.path) is sealed with key \(keyID), not this ticket's key \(mixed.key): a ticket's values are sealed with its one key",
                hint: "a sealed value cannot be moved from another ticket; restore it from the file's history")
        }
    }

    /// The file must be named `<id>.yaml`. Its folder is where its
    /// created_at first put it, which only history tells (a ticket never
    /// moves, even when the platform changes created_at): audit checks it
    /// on the commit that adds the file (`TicketAudit.checkFolder`).
    private mutating func checkPath(id: String, createdAt: String, time: TicketTimestamp) {
        let name = id + ".yaml"
        let expected = TicketPaths.folder + "/" + time.folder + "/" + name
        let actualName = file.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? file
        if actualName != name {
            reader.report(
                .ticketPath, at: location(of: .id),
                "the ticket's id is '\(id)' but the file is named '\(actualName)'; it belongs at \(expected)",
                hint: "a ticket's file never moves and its id never changes; restore the id or the file name")
        }
    }

    private func location(of field: Field) -> SourceLocation {
        valueLocations[field.rawValue] ?? root.location
    }
}
