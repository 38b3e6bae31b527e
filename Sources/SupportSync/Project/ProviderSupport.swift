/// What a provider can express of the support settings, after octoDNS's
/// `SUPPORTS` and `strict_supports`: a setting a provider cannot express is
/// a located diagnostic in `validate` and `plan`, an error unless the
/// environment says `strict_supports: false` (then a warning, and the
/// provider's fallback is what the settings become), never silently dropped.
public struct ProviderSupport: Sendable, Hashable {
    /// A setting some platform may not be able to express, by where it is written.
    public enum Feature: String, Sendable, Hashable, CaseIterable {
        case hours
        case closed
        case ringTimeout = "ring_timeout"
        case announce
        case summary
        case `extension`
        case sip
        case decide
        /// More than one destination, tried in the order written.
        case order
        /// An agent name longer than `Limits.name`.
        case nameLength = "name"
        /// An extension longer than `Limits.extension`.
        case extensionLength = "extension_length"
        /// Decide's guidance longer than `Limits.guidance`.
        case guidanceLength = "guidance"
        /// An extension on a SIP destination.
        case sipExtension = "sip_extension"
        /// A collect field named like one the provider's extraction uses itself (`Limits.reservedFields`).
        case reservedField = "reserved_field"
        /// Flagging on the messages channel: the provider's tickets come from calls only.
        case messagesFlag = "messages_flag"

        /// The settings' path, as messages name it.
        var path: String {
            switch self {
            case .hours: return "support.escalate.hours"
            case .closed: return "support.escalate.hours.closed"
            case .ringTimeout: return "support.escalate.ring_timeout"
            case .announce: return "support.escalate.announce"
            case .summary: return "support.escalate.summary"
            case .extension, .extensionLength: return "support.escalate.destinations[].extension"
            case .sipExtension: return "an extension on a sip destination"
            case .sip: return "support.escalate.destinations[].sip"
            case .decide: return "support.mode: decide"
            case .order: return "the order of support.escalate.destinations"
            case .nameLength: return "name"
            case .guidanceLength: return "support.decide.guidance"
            case .reservedField: return "support.flag.collect[].field"
            case .messagesFlag: return "a flag on the messages channel"
            }
        }

        /// What an overlay writes to leave the setting out.
        var removal: String {
            switch self {
            case .order: return "keep one destination"
            case .nameLength: return "shorten the name"
            case .extensionLength: return "shorten the extension"
            case .sipExtension: return "put the extension in the SIP address"
            case .guidanceLength: return "shorten the guidance"
            case .reservedField: return "leave the field out of collect (or rename a field of your own)"
            case .messagesFlag: return "channels: [calls]"
            case .closed: return "closed: null"
            case .decide: return "another mode"
            default: return "\(rawValue): null"
            }
        }
    }

    /// Lengths the provider holds at most (nil: no limit beyond the settings' own).
    public struct Limits: Sendable, Hashable {
        public var name: Int?
        public var `extension`: Int?
        public var guidance: Int?
        /// Collect field names the provider uses itself.
        public var reservedFields: Set<String>

        public init(
            name: Int? = nil, extension: Int? = nil, guidance: Int? = nil, reservedFields: Set<String> = []
        ) {
            self.name = name
            self.extension = `extension`
            self.guidance = guidance
            self.reservedFields = reservedFields
        }
    }

    /// What the provider cannot express.
    public var unsupported: Set<Feature>
    public var limits: Limits
    /// Why, by feature, in the provider's terms ("Vapi assistants have no schedule").
    public var reasons: [Feature: String]
    /// What the provider does instead, by feature, as a sentence's end
    /// ("transfers at any time"): the warning's hint and the plan's note.
    public var fallbacks: [Feature: String]

    public init(
        unsupported: Set<Feature> = [], limits: Limits = Limits(), reasons: [Feature: String] = [:],
        fallbacks: [Feature: String] = [:]
    ) {
        self.unsupported = unsupported
        self.limits = limits
        self.reasons = reasons
        self.fallbacks = fallbacks
        if limits.name != nil { self.unsupported.insert(.nameLength) }
        if limits.extension != nil { self.unsupported.insert(.extensionLength) }
        if limits.guidance != nil { self.unsupported.insert(.guidanceLength) }
        if !limits.reservedFields.isEmpty { self.unsupported.insert(.reservedField) }
    }

    /// The built-in providers: the platform API and the local platform
    /// express everything; Vapi (`VapiProvider`) has no schedule, no ring
    /// timeout and no order of destinations, and shorter limits.
    public static func of(_ provider: ProjectFile.Provider) -> ProviderSupport {
        switch provider {
        case .http, .local: return ProviderSupport()
        case .vapi: return vapi
        }
    }

    /// Vapi, from its API document: assistants and tools have no schedule;
    /// a transferCall tool's destinations are a choice the assistant's model
    /// makes; `dialTimeout` only applies to SIP dial transfers; an
    /// assistant's `name` has `maxLength: 40`, a destination's `extension`
    /// `maxLength: 10` (code points, as its validator counts); tool
    /// descriptions hold at most 1000 characters, of which the provider's
    /// own words before the guidance take up to 130 (`VapiSlice`); the
    /// extraction tickets come from has `flagged` and `reason` of its own.
    public static let vapi = ProviderSupport(
        unsupported: [.hours, .closed, .ringTimeout, .order, .sipExtension, .messagesFlag],
        limits: Limits(name: 40, extension: 10, guidance: 870, reservedFields: ["flagged", "reason"]),
        reasons: [
            .hours: "Vapi assistants have no schedule",
            .closed: "Vapi assistants have no schedule",
            .ringTimeout: "Vapi has no ring timeout for transfers",
            .order: "Vapi's assistant chooses among the destinations; it does not try them in order",
            .nameLength: "Vapi assistant names are at most 40 characters",
            .extensionLength: "Vapi extensions are at most 10 characters",
            .sipExtension: "Vapi's SIP destinations have no extension",
            .guidanceLength:
                "Vapi tool descriptions are at most 1000 characters, and up to 130 of them say what the tool does",
            .reservedField: "the call's extraction for tickets has flagged and reason of its own",
            .messagesFlag: "tickets come from Vapi's calls; its chats are not read",
        ],
        fallbacks: [
            .hours: "transfers at any time: humans are always tried",
            .closed: "transfers on closed days too",
            .ringTimeout: "ignores it: Vapi's own dial timeout applies",
            .order: "offers the destinations as a choice, order not enforced",
            .nameLength: "names the assistant with the first 40 characters",
            .extensionLength: "dials the number without the extension",
            .guidanceLength: "keeps the first 870 characters of the guidance",
            .sipExtension: "calls the SIP address without the extension",
            .reservedField: "leaves the field out of the extraction",
            .messagesFlag: "makes no ticket of a chat it flags",
        ])

    /// Each unsupported setting the agent (its file's `root` and its merged
    /// `support` block) writes, at its key; what its decoded `settings` do
    /// (flag on messages), at the value that makes them do it.
    func diagnostics(
        for support: ConfigNode?, root: ConfigNode? = nil, settings: AgentSettings? = nil, environment: String,
        provider: String, strict: Bool
    ) -> [Diagnostic] {
        guard !unsupported.isEmpty else { return [] }
        var found: [Diagnostic] = []
        func report(_ feature: Feature, at location: SourceLocation) {
            let why = reasons[feature].map { " (\($0))" } ?? ""
            let hint: String
            // Vapi's assistant does flag a chat (through the flag tool, to
            // the webhook): what is lost is the ticket in git, said always
            // as a warning.
            let severity: Severity = strict && feature != .messagesFlag ? .error : .warning
            if feature == .messagesFlag {
                hint =
                    "a chat the assistant flags never becomes a ticket in tickets/; serve calls only (channels: [calls]) in the agent's file to make that plain"
            } else if strict, feature == .nameLength {
                // An overlay holds support settings only: the name is the agent file's.
                hint = "shorten the name in the agent's file, or set strict_supports: false to be warned instead"
            } else if strict {
                hint =
                    "\(feature.removal) for this environment in its overlay, or set strict_supports: false to be warned instead"
            } else {
                hint = "\(provider) \(fallbacks[feature] ?? "ignores it")"
            }
            found.append(
                Diagnostic(
                    .providerUnsupported, at: location,
                    "the \(provider) provider of environment '\(environment)' cannot express \(feature.path)\(why)",
                    hint: hint, severity: severity))
        }
        func written(_ node: ConfigNode?, _ key: String) -> ConfigNode.Member? {
            guard let member = node?[key], !member.value.isNull else { return nil }
            return member
        }
        func tooLong(_ member: ConfigNode.Member?, _ limit: Int?) -> ConfigNode.Member? {
            guard let member, let limit, let text = member.value.scalar?.text, text.unicodeScalars.count > limit
            else { return nil }
            return member
        }
        if let name = tooLong(written(root, "name"), limits.name) { report(.nameLength, at: name.value.location) }
        guard let support, support.members != nil else { return found }
        let escalate = written(support, "escalate")?.value
        if unsupported.contains(.messagesFlag), let settings, Self.flagsOnMessages(settings.support),
            let messages = written(root, "channels")?.value.items?.first(where: { $0.scalar?.text == "messages" })
        {
            report(.messagesFlag, at: messages.location)
        }
        if unsupported.contains(.decide), let mode = written(support, "mode"), mode.value.scalar?.text == "decide" {
            report(.decide, at: mode.value.location)
        }
        let hours = written(escalate, "hours")
        if unsupported.contains(.hours), let hours { report(.hours, at: hours.keyLocation) }
        if unsupported.contains(.closed), !unsupported.contains(.hours), let closed = written(hours?.value, "closed") {
            report(.closed, at: closed.keyLocation)
        }
        for feature in [Feature.ringTimeout, .announce, .summary] where unsupported.contains(feature) {
            if let member = written(escalate, feature.rawValue) { report(feature, at: member.keyLocation) }
        }
        let destinations = written(escalate, "destinations")
        if unsupported.contains(.order), let destinations, (destinations.value.items?.count ?? 0) > 1 {
            report(.order, at: destinations.keyLocation)
        }
        for destination in destinations?.value.items ?? [] {
            for feature in [Feature.extension, .sip] where unsupported.contains(feature) {
                if let member = written(destination, feature.rawValue) { report(feature, at: member.keyLocation) }
            }
            if let member = tooLong(written(destination, "extension"), limits.extension) {
                report(.extensionLength, at: member.value.location)
            }
            if unsupported.contains(.sipExtension), written(destination, "sip") != nil,
                let member = written(destination, "extension")
            {
                report(.sipExtension, at: member.keyLocation)
            }
        }
        if let guidance = tooLong(written(written(support, "decide")?.value, "guidance"), limits.guidance) {
            report(.guidanceLength, at: guidance.value.location)
        }
        for item in written(written(support, "flag")?.value, "collect")?.value.items ?? [] {
            // `- email`, or `- field: email` with a label and required.
            let name = item.scalar.map { _ in item } ?? written(item, "field")?.value
            if let name, let text = name.scalar?.text, limits.reservedFields.contains(text) {
                report(.reservedField, at: name.location)
            }
        }
        return found
    }

    /// The longest start of `text` of whole characters holding at most
    /// `limit` code points (as Vapi counts): a flag or an accent is kept
    /// whole or left out, never cut in two.
    static func prefix(_ text: String, scalars limit: Int) -> String {
        var count = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text[index].unicodeScalars.count
            guard count + next <= limit else { break }
            count += next
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// Whether the settings flag a case on the messages channel: mode flag,
    /// escalate with the fallback flag (the default), or decide allowing flag.
    static func flagsOnMessages(_ support: SupportSettings) -> Bool {
        switch support.mode {
        case .flag: return true
        case .escalate: return (support.escalate?.fallback ?? .flag) == .flag
        case .decide: return support.decide?.allow.contains(.flag) ?? false
        case .nothing: return false
        }
    }

    /// The settings as the provider will hold them: each setting it cannot
    /// express replaced by its fallback (what `strict_supports: false`
    /// accepts), with a note for each, in the plan's words. Settings the
    /// provider expresses come back unchanged, with no notes.
    public func expressed(_ settings: AgentSettings) -> (settings: AgentSettings, notes: [String]) {
        var settings = settings
        var notes: [String] = []
        func note(_ feature: Feature) {
            notes.append("\(feature.path): \(fallbacks[feature] ?? "ignored")")
        }
        if let limit = limits.name, settings.name.unicodeScalars.count > limit {
            settings.name = Self.prefix(settings.name, scalars: limit)
            note(.nameLength)
        }
        if var escalate = settings.support.escalate {
            if unsupported.contains(.hours), escalate.hours != nil {
                escalate.hours = nil
                note(.hours)
            } else if unsupported.contains(.closed), let hours = escalate.hours, !hours.closed.isEmpty {
                escalate.hours?.closed = []
                note(.closed)
            }
            if unsupported.contains(.ringTimeout), escalate.ringTimeout != EscalateSettings.defaultRingTimeout {
                escalate.ringTimeout = EscalateSettings.defaultRingTimeout
                note(.ringTimeout)
            }
            if unsupported.contains(.order), escalate.destinations.count > 1 { note(.order) }
            if unsupported.contains(.sipExtension),
                escalate.destinations.contains(where: { $0.sip != nil && $0.extension != nil })
            {
                for index in escalate.destinations.indices where escalate.destinations[index].sip != nil {
                    escalate.destinations[index].extension = nil
                }
                note(.sipExtension)
            }
            if let limit = limits.extension {
                var cut = false
                for index in escalate.destinations.indices
                where (escalate.destinations[index].extension?.count ?? 0) > limit {
                    escalate.destinations[index].extension = nil
                    cut = true
                }
                if cut { note(.extensionLength) }
            }
            settings.support.escalate = escalate
        }
        if let limit = limits.guidance, let guidance = settings.support.decide?.guidance,
            guidance.unicodeScalars.count > limit
        {
            settings.support.decide?.guidance = Self.prefix(guidance, scalars: limit)
            note(.guidanceLength)
        }
        if unsupported.contains(.messagesFlag), settings.channels.contains(.messages),
            Self.flagsOnMessages(settings.support)
        {
            note(.messagesFlag)
        }
        if let collect = settings.support.flag?.collect,
            collect.contains(where: { limits.reservedFields.contains($0.field) })
        {
            settings.support.flag?.collect = collect.filter { !limits.reservedFields.contains($0.field) }
            note(.reservedField)
        }
        return (settings, notes)
    }
}
