import Foundation
import SupportSync

/// A Vapi call as supportsync reads it: a ticket when the call's extraction
/// (`artifact.structuredOutputs`, the entry named `supportsync-ticket`)
/// says the agent flagged the case and its assistant is bound to an agent
/// of this environment; otherwise only its time, which moves the cursor.
struct VapiCall: Sendable {
    var id: String
    /// `updatedAt` as Vapi wrote it, and in milliseconds since 1970.
    var updatedAt: String
    var updated: Int64
    /// The ticket, in plain text; nil when the call is not a flagged case of this environment.
    var ticket: Ticket?
    /// A flagged case of this environment whose id is not a UUID: no ticket
    /// (it could be neither read back nor erased), but said.
    var flaggedWithOddID = false

    /// Nil for an answer that is not a call (no id or no times).
    init?(_ call: JSONValue, environment: String, bindings: [String: VapiSlice.Binding]) {
        guard let id = call["id"]?.string, let updatedAt = call["updatedAt"]?.string,
            let updated = VapiTime.milliseconds(updatedAt)
        else { return nil }
        self.id = id
        self.updatedAt = updatedAt
        self.updated = updated
        // Only an assistant the environment binds: an inline (transient)
        // assistant's metadata is whatever the caller who started the call wrote.
        let binding = call["assistantId"]?.string.flatMap { bindings[$0] }
        // Not a ticket: kept for its time only.
        // Vapi's call ids are UUIDs: a ticket of another id could be neither
        // read back nor erased (`GET` and `DELETE /call/{id}` take a UUID).
        guard let binding, binding.environment == environment,
            let result = Self.extraction(of: call), result["flagged"] == .bool(true)
        else { return }
        guard UUID(uuidString: id) != nil else {
            flaggedWithOddID = true
            return
        }
        ticket = Self.ticket(call, id: id, result: result, binding: binding)
    }

    /// What the agent extracted for supportsync on this call.
    static func extraction(of call: JSONValue) -> JSONValue? {
        // Vapi keys the call's structured outputs by their ids: found by name.
        let outputs = call["artifact"]?["structuredOutputs"]?.object ?? [:]
        return outputs.keys.sorted().lazy.compactMap { key -> JSONValue? in
            let output = outputs[key]!
            guard output["name"]?.string == VapiSlice.outputName else { return nil }
            return output["result"]
        }.first
    }

    /// The collect fields that are the customer's details, not `fields`.
    static let customerFields: Set<String> = ["name", "email", "phone"]

    /// The ticket a flagged call stands for: its id and conversation are the
    /// call's id; priority and tags come from the agent's settings as
    /// applied (Vapi has no field for them); status is pending. Only the
    /// agent's `collect` fields are read from the extraction: a key the
    /// model made up would reach git in plain text, as `fields` keys do.
    static func ticket(_ call: JSONValue, id: String, result: JSONValue, binding: VapiSlice.Binding) -> Ticket {
        let flag = binding.settings?.support.flag ?? FlagSettings()
        var fields: [String: String] = [:]
        for field in flag.collect.map(\.field) where !customerFields.contains(field) {
            if let text = result[field].flatMap(Self.text) { fields[field] = text }
        }
        let customer = Customer(
            name: result["name"].flatMap(Self.text), email: result["email"].flatMap(Self.text),
            phone: result["phone"].flatMap(Self.text))
        let updatedAt = call["updatedAt"]?.string ?? ""
        return Ticket(
            id: id, agent: binding.agent, channel: .calls, conversation: id,
            createdAt: call["createdAt"]?.string ?? "", reason: result["reason"].flatMap(Self.text) ?? "",
            summary: call["analysis"]?["summary"]?.string ?? "", customer: customer, fields: fields, tags: flag.tags,
            priority: flag.priority, updatedAt: updatedAt, version: updatedAt)
    }

    /// A value the agent extracted, as a ticket's text: a string as it is,
    /// a number or a flag as JSON writes it; nil for null or nothing.
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .null: return nil
        default: return String(decoding: value.canonical, as: UTF8.self)
        }
    }

    /// A short digest of the call at this update: what a cursor remembers
    /// of the calls it has delivered.
    var mark: String { Self.mark(id: id, updatedAt: updatedAt) }

    static func mark(id: String, updatedAt: String) -> String {
        VapiSlice.hexDigest(Data((id + "\n" + updatedAt).utf8), bytes: 6)
    }
}

/// Vapi's times (`2026-12-01T10:02:11.123Z`) as milliseconds, and back,
/// in whole numbers: a time read back from a cursor is the one written.
enum VapiTime {
    /// Nil unless `text` is `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (`TicketTimestamp`).
    static func milliseconds(_ text: String) -> Int64? { TicketTimestamp.milliseconds(text) }

    /// The time now, in milliseconds since 1970.
    static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    static func text(_ milliseconds: Int64) -> String {
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (whole, part) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: Double(whole)).formatted(Date.ISO8601FormatStyle())
        let digits = String(part)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}

/// Where a pull from Vapi stands: `vapi1/<since>/<mark>.<mark>...`.
///
/// Vapi lists calls by creation time and filters them by `updatedAt`, so a
/// pull asks for every call updated at or after `since` and leaves out the
/// calls already delivered at the update they were delivered at (`seen`,
/// one short digest each). `since` trails the newest update delivered by
/// an overlap window, so a call Vapi shows late, with an earlier
/// `updatedAt`, is still found; equal times are neither lost nor repeated,
/// because a page never ends between two calls of one time and the window
/// remembers what it delivered. The cursor is visible ASCII and at most
/// 4,096 characters: when the window holds more marks than fit, it
/// narrows (`capacity`).
struct VapiTicketCursor: Sendable, Hashable {
    static let prefix = "vapi1/"
    /// How far the window reaches back from the newest update delivered.
    static let overlap: Int64 = 10 * 60 * 1000
    static let capacity = 300

    /// Nil before the first pull.
    var since: Int64?
    var seen: Set<String>

    init(since: Int64?, seen: Set<String>) {
        self.since = since
        self.seen = seen
    }

    /// Reads a cursor this provider wrote; nil when it is not one.
    init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let parts = text.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let since = VapiTime.milliseconds(String(parts[0])) else { return nil }
        let marks = parts[1].isEmpty ? [] : parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard marks.count <= Self.capacity,
            marks.allSatisfy({
                $0.count == 12 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
            })
        else { return nil }
        self.since = since
        seen = Set(marks.map(String.init))
    }

    var text: String? {
        guard let since else { return nil }
        return Self.prefix + VapiTime.text(since) + "/" + seen.sorted().joined(separator: ".")
    }

    /// One page of tickets after this cursor, from the calls updated since
    /// it (`calls`, every one Vapi listed; `newest`, the latest update among
    /// them, flagged or not): at most `limit` tickets unless calls of one
    /// time run past it, in order of update then id, and the cursor after them.
    ///
    /// The window never starts later than `now` less the overlap: a call
    /// updated in the future (a clock or a record gone wrong) is delivered,
    /// and remembered by its mark, but does not carry the cursor past the
    /// calls updated until then.
    func page(of calls: [VapiCall], newest: Int64?, limit: Int, now: Int64 = VapiTime.now) -> (
        tickets: [VapiCall], after: VapiTicketCursor, more: Bool
    ) {
        let candidates = calls.filter { call in
            call.ticket != nil && call.updated >= (since ?? .min) && !seen.contains(call.mark)
        }.sorted { ($0.updated, $0.id) < ($1.updated, $1.id) }
        var end = min(max(1, limit), candidates.count)
        while end < candidates.count, candidates[end].updated == candidates[end - 1].updated { end += 1 }
        let page = Array(candidates[..<end])
        let more = end < candidates.count
        // The newest update this page settles: the last delivered, or, on the
        // last page, the newest call listed (so calls that are not tickets
        // are not read again and again).
        guard let latest = more ? page.last?.updated : [newest, page.last?.updated, since].compactMap({ $0 }).max()
        else { return (page, self, more) }
        let settled = min(latest, now)
        var start = max(since ?? .min, settled - Self.overlap)
        let delivered = Set(page.map(\.mark))
        var kept = calls.filter { call in
            call.ticket != nil && call.updated >= start && (seen.contains(call.mark) || delivered.contains(call.mark))
        }
        if kept.count > Self.capacity {
            // Narrow the window past the oldest times, so the newest marks
            // fit. Never past a call not yet delivered: at most `capacity`
            // marks (those of the cursor) are newer than this page, so the
            // time cut is at most the page's last, and the calls after the
            // page are later still (a page never ends inside one time).
            kept.sort { ($0.updated, $0.id) > ($1.updated, $1.id) }
            start = kept[Self.capacity].updated + 1
            kept = kept.filter { $0.updated >= start }
        }
        return (page, VapiTicketCursor(since: start, seen: Set(kept.map(\.mark))), more)
    }
}
