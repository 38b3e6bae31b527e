import Crypto
import Foundation
import SupportSync

/// The part of a Vapi assistant supportsync owns, and how an agent's
/// support settings map onto it (the field map is in the README):
///
/// - `name`, and `metadata.supportsync`: the binding (`agent`,
///   `environment`), the managed tools' ids and the settings as applied,
///   for what Vapi has no field for (mode, channels, priority, tags,
///   fallback, decide's allow);
/// - one `transferCall` tool, attached while the agent may transfer a call:
///   a destination per `escalate` destination, in order, with its
///   `transferPlan` (cold: blind transfer; warm: the summary, or a fixed
///   message), the announcement as each destination's `message`;
/// - the extraction `artifactPlan.structuredOutputs[supportsync-ticket]`
///   while the agent may flag: whether the call was flagged, the reason and
///   the `collect` fields, which `tickets pull` reads from each call;
/// - with the environment's `flag_webhook`, an in-call `function` tool
///   (`supportsync_flag`) whose required parameters are the required
///   `collect` fields, attached while the agent may flag;
/// - decide's guidance in the tools' descriptions.
///
/// Everything else on the assistant (prompt, voice, model, other tools,
/// other structured outputs, other metadata) is never changed.
public struct VapiSlice: Sendable {
    public static let outputName = "supportsync-ticket"
    public static let flagFunction = "supportsync_flag"
    /// The metadata key of the binding.
    public static let metadataKey = "supportsync"

    public var environment: String
    /// Where Vapi posts in-call flag tool calls; nil: no flag tool.
    public var flagWebhook: String?

    public init(environment: String, flagWebhook: String?) {
        self.environment = environment
        self.flagWebhook = flagWebhook
    }

    // MARK: - What the settings become

    /// What Vapi should hold for `settings`.
    public struct Desired: Sendable, Hashable {
        public var name: String
        /// `metadata.supportsync`, without the tools' ids (known only once they exist).
        public var binding: JSONValue
        /// The `transferCall` tool's body (`CreateTransferCallToolDTO`), when the agent may transfer.
        public var transferTool: JSONValue?
        /// The `function` tool's body (`CreateFunctionToolDTO`), when the agent may flag and there is a webhook.
        public var flagTool: JSONValue?
        /// The `structuredOutputs` entry (`CreateStructuredOutputDTO`), when the agent may flag.
        public var output: JSONValue?
    }

    public func desired(_ settings: AgentSettings) -> Desired {
        let support = settings.support
        var transfer: JSONValue?
        if settings.mayTransfer, let escalate = support.escalate, !escalate.destinations.isEmpty {
            transfer = Self.transferTool(escalate, agentName: settings.name, guidance: support.decide?.guidance)
        }
        var flagTool: JSONValue?
        var output: JSONValue?
        if settings.mayFlag {
            let flag = support.flag ?? FlagSettings()
            output = Self.output(flag, guidance: support.decide?.guidance)
            if let flagWebhook {
                flagTool = Self.flagTool(flag, webhook: flagWebhook, guidance: support.decide?.guidance)
            }
        }
        return Desired(
            name: settings.name, binding: binding(settings), transferTool: transfer, flagTool: flagTool,
            output: output)
    }

    func binding(_ settings: AgentSettings) -> JSONValue {
        let encoded = (try? JSONEncoder().encode(settings)).flatMap {
            try? JSONDecoder().decode(JSONValue.self, from: $0)
        }
        return .object([
            "agent": .string(settings.id), "environment": .string(environment), "settings": encoded ?? .null,
        ])
    }

    static func transferTool(_ escalate: EscalateSettings, agentName: String, guidance: String?) -> JSONValue {
        var plan: [String: JSONValue]
        switch (escalate.transfer, escalate.summary) {
        case (.cold, _):
            plan = ["mode": .string("blind-transfer")]
        case (.warm, true):
            plan = ["mode": .string("warm-transfer-say-summary"), "summaryPlan": .object(["enabled": .bool(true)])]
        case (.warm, false):
            // Vapi's warm transfer without a summary says a message to the
            // person answering; the settings have none, so this one is fixed.
            plan = [
                "mode": .string("warm-transfer-say-message"),
                "message": .string("A customer is being transferred to you by \(agentName)."),
            ]
        }
        let destinations: [JSONValue] = escalate.destinations.map { destination in
            var item: [String: JSONValue] = [
                "message": .string(escalate.announce ?? ""),
                "description": .string(describe(destination.name, guidance: guidance)),
                "transferPlan": .object(plan),
            ]
            if let sip = destination.sip {
                item["type"] = .string("sip")
                item["sipUri"] = .string(sip)
            } else {
                item["type"] = .string("number")
                item["number"] = .string(destination.number ?? "")
                if let ext = destination.extension { item["extension"] = .string(ext) }
            }
            return .object(item)
        }
        return .object(["type": .string("transferCall"), "destinations": .array(destinations)])
    }

    static func describe(_ name: String, guidance: String?) -> String {
        "Transfer to \(name)" + (guidance.map { "\n\n" + $0 } ?? "")
    }

    /// The collect fields as JSON Schema properties, and `reason` unless collected.
    static func properties(_ flag: FlagSettings) -> [String: JSONValue] {
        var properties: [String: JSONValue] = [
            "reason": .object([
                "type": .string("string"), "description": .string("why the case could not be resolved"),
            ])
        ]
        for field in flag.collect {
            properties[field.field] = .object(["type": .string("string"), "description": .string(field.label)])
        }
        return properties
    }

    static func output(_ flag: FlagSettings, guidance: String?) -> JSONValue {
        var properties = properties(flag)
        properties["flagged"] = .object([
            "type": .string("boolean"),
            "description": .string(
                "true when the agent could not resolve the customer's case and logged it for the support team"),
        ])
        let required = ["flagged"] + flag.collect.filter(\.required).map(\.field)
        return .object([
            "name": .string(outputName),
            "description": .string(
                "A case the agent could not resolve, for supportsync's tickets" + (guidance.map { "\n\n" + $0 } ?? "")),
            "schema": .object([
                "type": .string("object"), "properties": .object(properties), "required": JSONValue(required),
            ]),
        ])
    }

    static func flagTool(_ flag: FlagSettings, webhook: String, guidance: String?) -> JSONValue {
        let properties = properties(flag)
        let required = flag.collect.filter(\.required).map(\.field)
        var description =
            "Log the customer's case for the support team when you cannot resolve it. Ask the customer for every required detail first."
        if let guidance { description += "\n\n" + guidance }
        return .object([
            "type": .string("function"),
            "function": .object([
                "name": .string(flagFunction), "description": .string(description),
                "parameters": .object([
                    "type": .string("object"), "properties": .object(properties), "required": JSONValue(required),
                ]),
            ]),
            "server": .object(["url": .string(webhook)]),
        ])
    }

    /// What the plan should say of an agent on this environment beyond its
    /// settings: without a `flag_webhook`, an agent that may flag is not
    /// prompted to collect the required fields during the call.
    public func notes(for settings: AgentSettings) -> [String] {
        guard flagWebhook == nil, settings.mayFlag,
            settings.support.flag?.collect.contains(where: \.required) == true
        else { return [] }
        return [
            "support.flag.collect: the agent will not be prompted to collect the required fields during the call (the environment names no flag_webhook); tickets come from each call's extraction"
        ]
    }

    // MARK: - What an assistant holds

    /// The managed fields of a tool as Vapi returns it: what a tool body compares on.
    static func managedPart(ofTool tool: JSONValue) -> JSONValue {
        var part: [String: JSONValue] = [:]
        for key in ["type", "destinations", "function", "server"] { part[key] = tool[key] }
        return .object(part)
    }

    /// The binding of an assistant: its agent and environment, the managed
    /// tools' ids, and the settings last applied; nil when unbound.
    public struct Binding: Sendable, Hashable {
        public var agent: String
        public var environment: String
        public var transferTool: String?
        public var flagTool: String?
        /// `urlDigest` of the URL the flag tool posted to when last applied.
        public var flagURLDigest: String? = nil
        public var settings: AgentSettings?
    }

    /// The binding's key for `Binding.flagURLDigest`, beside the tools' ids.
    static let flagURLDigestKey = "flag_url_sha256"

    /// What a binding keeps of a webhook URL: 16 bytes of its SHA-256, which
    /// tell two URLs apart and give nothing of one away.
    static func urlDigest(_ url: String) -> String { hexDigest(Data(url.utf8), bytes: 16) }

    public static func binding(of assistant: JSONValue) -> Binding? {
        // Only a binding that names an agent and an environment as config/
        // and supportsync.yaml can: anything else is no binding (and never
        // printed as an id).
        guard let meta = assistant["metadata"]?[metadataKey], let agent = meta["agent"]?.string,
            let environment = meta["environment"]?.string, Patterns.isAgentID(agent),
            ProjectFile.isEnvironmentName(environment)
        else { return nil }
        // Settings that break config/'s rules (a tag with a newline, an
        // edit on Vapi's dashboard) are no settings: the plan puts them back.
        let settings = meta["settings"].flatMap { value -> AgentSettings? in
            guard let decoded = try? JSONDecoder().decode(AgentSettings.self, from: value.canonical),
                let body = try? JSONEncoder().encode(AgentWrite(decoded)),
                case .success = AgentBodyValidator.validate(json: Array(body), id: agent)
            else { return nil }
            return decoded
        }
        return Binding(
            agent: agent, environment: environment, transferTool: meta["tools"]?["transfer"]?.string,
            flagTool: meta["tools"]?["flag"]?.string, flagURLDigest: meta["tools"]?[flagURLDigestKey]?.string,
            settings: settings)
    }

    /// The managed slice as read: what the plan's version hashes.
    public static func slice(of assistant: JSONValue, tools: [String: JSONValue]) -> JSONValue {
        let binding = assistant["metadata"]?[metadataKey] ?? .null
        let attached = assistant["model"]?["toolIds"]?.strings ?? []
        let managed = [binding["tools"]?["transfer"]?.string, binding["tools"]?["flag"]?.string].compactMap { $0 }
        var toolParts: [String: JSONValue] = [:]
        for id in managed { toolParts[id] = tools[id].map(managedPart(ofTool:)) ?? .null }
        let outputs = (assistant["artifactPlan"]?["structuredOutputs"]?.array ?? []).filter {
            $0["name"]?.string == outputName
        }
        return .object([
            "name": assistant["name"] ?? .null, "binding": binding,
            "attached": JSONValue(managed.filter(attached.contains)), "tools": .object(toolParts),
            "outputs": .array(outputs),
        ])
    }

    /// A short, stable digest of the managed slice.
    public static func digest(_ slice: JSONValue) -> String { hexDigest(slice.canonical, bytes: 12) }

    /// A webhook URL as plans show it: any part may hold a secret (user
    /// info, a token in the path or the query), so only its scheme, host
    /// and port, and a digest of the whole that tells two URLs apart.
    static func shownWebhook(_ url: String) -> String {
        let digest = "sha256 " + hexDigest(Data(url.utf8), bytes: 4)
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else { return "a URL (\(digest))" }
        let port = components.port.map { ":\($0)" } ?? ""
        return PrintableText.escaping("\(scheme)://\(host)\(port)/… (\(digest))")
    }

    /// The first `bytes` bytes of the SHA-256 of `data`, in lowercase hexadecimal.
    static func hexDigest(_ data: some DataProtocol, bytes: Int) -> String {
        SHA256.hash(data: data).prefix(bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// An agent's version on Vapi: `<assistant id>:<digest of its managed slice>`.
    public static func version(of assistant: JSONValue, tools: [String: JSONValue]) -> String {
        (assistant["id"]?.string ?? "") + ":" + digest(slice(of: assistant, tools: tools))
    }

    /// The settings an assistant carries for this environment: the settings
    /// last applied, with what Vapi itself holds read back over them (the
    /// name, the transfer tool, the extraction and the flag tool), so an edit
    /// made on Vapi's dashboard shows in the plan. Nil for an assistant not
    /// bound to this environment.
    public func settings(of assistant: JSONValue, tools: [String: JSONValue]) -> AgentSettings? {
        guard let binding = Self.binding(of: assistant), binding.environment == environment else { return nil }
        let name = assistant["name"]?.string ?? ""
        guard var settings = binding.settings, settings.id == binding.agent else {
            // A binding without readable settings: what Vapi shows, no more.
            return AgentSettings(
                id: binding.agent, name: name, channels: [.calls], support: SupportSettings(mode: .nothing))
        }
        let expected = desired(settings)
        settings.name = name
        let attached = Set(assistant["model"]?["toolIds"]?.strings ?? [])
        // The transfer tool: what it says, when it is not what was applied.
        if expected.transferTool != nil {
            let tool = binding.transferTool.flatMap { attached.contains($0) ? tools[$0] : nil }
            if let tool {
                if !tool.includes(expected.transferTool ?? .null) {
                    settings.support.escalate = Self.escalate(
                        from: tool, applied: settings.support.escalate, guidance: &settings.support.decide)
                }
            } else {
                settings.support.escalate = nil
            }
        }
        // The extraction: the collect fields it asks for.
        if let expectedOutput = expected.output {
            let output = (assistant["artifactPlan"]?["structuredOutputs"]?.array ?? []).first {
                $0["name"]?.string == Self.outputName
            }
            if let output {
                if !output.includes(expectedOutput) {
                    let applied = settings.support.flag?.collect ?? []
                    settings.support.flag?.collect = Self.collect(
                        from: output["schema"], applied: applied, skipping: ["flagged"])
                }
            } else {
                settings.support.flag = nil
            }
        }
        if let expectedTool = expected.flagTool {
            let tool = binding.flagTool.flatMap { attached.contains($0) ? tools[$0] : nil }
            if let tool, !tool.includes(expectedTool) {
                let applied = settings.support.flag?.collect ?? []
                settings.support.flag?.collect = Self.collect(
                    from: tool["function"]?["parameters"], applied: applied, skipping: [])
            } else if tool == nil, binding.flagTool != nil {
                // The tool the last apply made is gone: Vapi no longer flags.
                // (With no tool made, the last apply had no flag_webhook: the
                // settings stand, and the tool to add is a change of its own,
                // pendingChanges.)
                settings.support.flag = nil
            }
        }
        return settings
    }

    /// What the assistant holds of the managed slice that its settings do not
    /// explain, as changes `apply` makes: a flag tool left from a removed
    /// `flag_webhook` or posting to another URL, a tool or an extraction the
    /// settings no longer want; and which of them were edited on Vapi since
    /// the last apply (`drift`): the flag tool's URL, when it is not what
    /// the last apply wrote (its digest in the binding).
    public func pendingChanges(of assistant: JSONValue, tools: [String: JSONValue]) -> (
        changes: [Plan.Change], drift: [String]
    ) {
        guard let binding = Self.binding(of: assistant), binding.environment == environment,
            let settings = binding.settings
        else { return ([], []) }
        let expected = desired(settings)
        let attached = Set(assistant["model"]?["toolIds"]?.strings ?? [])
        var changes: [Plan.Change] = []
        var drift: [String] = []
        let flagTool = binding.flagTool.flatMap { attached.contains($0) ? tools[$0] : nil }
        let liveURL = flagTool?["server"]?["url"]?.string
        let wantedURL = expected.flagTool?["server"]?["url"]?.string
        if flagTool != nil, liveURL != wantedURL {
            changes.append(
                Plan.Change(
                    field: "vapi.flag_tool.server.url", old: liveURL.map { .string(Self.shownWebhook($0)) },
                    new: wantedURL.map { .string(Self.shownWebhook($0)) }))
            if let liveURL, let applied = binding.flagURLDigest, Self.urlDigest(liveURL) != applied {
                drift.append("vapi.flag_tool.server.url")
            }
        } else if flagTool == nil, binding.flagTool == nil, let wantedURL, settings.support.flag != nil {
            // A flag_webhook new to the environment: the tool is added.
            changes.append(
                Plan.Change(
                    field: "vapi.flag_tool", old: nil,
                    new: .string("\(Self.flagFunction) posting to \(Self.shownWebhook(wantedURL))")))
        }
        if expected.transferTool == nil, binding.transferTool.map(attached.contains) == true {
            changes.append(Plan.Change(field: "vapi.transfer_tool", old: .string("attached"), new: nil))
        }
        let outputs = (assistant["artifactPlan"]?["structuredOutputs"]?.array ?? []).filter {
            $0["name"]?.string == Self.outputName
        }
        if expected.output == nil, !outputs.isEmpty {
            changes.append(Plan.Change(field: "vapi.extraction", old: .string(Self.outputName), new: nil))
        }
        return (changes, drift)
    }

    /// What the assistant holds outside the managed slice that changes what
    /// the agent does: a `transferCall` tool of the team's own (attached by
    /// id or written in `model.tools`) transfers calls whatever the settings
    /// say, and supportsync never changes it.
    public static func notes(of assistant: JSONValue, tools: [String: JSONValue]) -> [String] {
        let managed = binding(of: assistant)?.transferTool
        var found: [String] = []
        for id in assistant["model"]?["toolIds"]?.strings ?? [] where id != managed {
            guard tools[id]?["type"]?.string == "transferCall" else { continue }
            found.append("tool \(VapiPlatform.isPlainID(id) ? id : PrintableText.escaping(id))")
        }
        let inline = (assistant["model"]?["tools"]?.array ?? []).filter { $0["type"]?.string == "transferCall" }
        if !inline.isEmpty { found.append("a transferCall tool in model.tools") }
        var notes = found.map {
            "the assistant also has \($0), which supportsync does not manage: it can transfer calls whatever these settings say; remove it on Vapi to let them decide"
        }
        if let foreign = assistant["metadata"]?[metadataKey], foreign != .null, binding(of: assistant) == nil {
            notes.append(
                "the assistant's metadata.\(metadataKey) is not a binding supportsync reads (another tool's, or edited on Vapi): applying to this agent replaces it"
            )
        }
        return notes
    }

    /// An agent read from an assistant no environment is bound to: what
    /// `import` writes for it (its id from the name), doing nothing until a
    /// reviewed file says otherwise.
    public static func unbound(_ assistant: JSONValue) -> AgentSettings? {
        guard binding(of: assistant) == nil else { return nil }
        let name = assistant["name"]?.string ?? ""
        let id: String
        if !name.isEmpty {
            id = agentID(for: name)
        } else {
            // One without a name is the platform's all the same: listed by
            // its Vapi id (`unnamed-3f2c1a9e-…`), with no name to be taken
            // over or imported by.
            guard let vapiID = assistant["id"]?.string, VapiPlatform.isPlainID(vapiID) else { return nil }
            id = agentID(for: "unnamed " + vapiID)
        }
        return AgentSettings(id: id, name: name, channels: [.calls], support: SupportSettings(mode: .nothing))
    }

    /// `Billing desk (EU)` -> `billing-desk-eu`.
    public static func agentID(for name: String) -> String {
        var id = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                id.unicodeScalars.append(scalar)
            } else if !id.isEmpty, !id.hasSuffix("-") {
                id += "-"
            }
        }
        // An agent id has at most 63 characters, and ends on no `-` once cut.
        id = String(id.prefix(63))
        while id.hasSuffix("-") { id.removeLast() }
        return id.isEmpty ? "assistant" : id
    }

    /// The escalate settings a transfer tool stands for, keeping what Vapi
    /// does not hold (ring timeout, hours, fallback) from those applied.
    static func escalate(
        from tool: JSONValue, applied: EscalateSettings?, guidance decide: inout DecideSettings?
    ) -> EscalateSettings? {
        let items = tool["destinations"]?.array ?? []
        guard !items.isEmpty else { return nil }
        var escalate = applied ?? EscalateSettings(destinations: [])
        escalate.destinations = items.enumerated().map { index, item in
            let description = item["description"]?.string ?? ""
            var name = description
            if name.hasPrefix("Transfer to ") { name = String(name.dropFirst("Transfer to ".count)) }
            if let cut = name.range(of: "\n\n") {
                if decide != nil { decide?.guidance = String(name[cut.upperBound...]) }
                name = String(name[..<cut.lowerBound])
            } else if decide != nil, index == 0 {
                decide?.guidance = nil
            }
            if item["type"]?.string == "sip" {
                return Destination(name: name, sip: item["sipUri"]?.string)
            }
            return Destination(name: name, number: item["number"]?.string, extension: item["extension"]?.string)
        }
        let first = items[0]
        let announce = first["message"]?.string ?? ""
        escalate.announce = announce.isEmpty ? nil : announce
        switch first["transferPlan"]?["mode"]?.string {
        case "blind-transfer":
            escalate.transfer = .cold
        case "warm-transfer-say-message":
            escalate.transfer = .warm
            escalate.summary = false
        default:
            escalate.transfer = .warm
            escalate.summary = true
        }
        return escalate
    }

    /// The collect fields a JSON Schema asks for: in the order applied, then
    /// new ones by name; labels from descriptions; required from `required`.
    static func collect(from schema: JSONValue?, applied: [CollectField], skipping: Set<String>) -> [CollectField] {
        let properties = schema?["properties"]?.object ?? [:]
        let required = Set(schema?["required"]?.strings ?? [])
        let appliedNames = applied.map(\.field)
        let names =
            appliedNames.filter { properties[$0] != nil }
            + properties.keys.filter { !appliedNames.contains($0) && !skipping.contains($0) && $0 != "reason" }.sorted()
        return names.map { name in
            CollectField(
                field: name, required: required.contains(name),
                label: properties[name]?["description"]?.string ?? name)
        }
    }
}
