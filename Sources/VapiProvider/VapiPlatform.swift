import Foundation
import Logging
import NIOCore
import PlatformClient
import SupportSync

/// Vapi's API on the platform seam: an environment's agents are the Vapi
/// assistants bound to it (`metadata.supportsync`), each agent's support
/// settings the slice of its assistant `VapiSlice` describes.
///
/// Vapi has no conditional writes. They are emulated: an agent's version is
/// `<assistant id>:<digest of its managed slice>`; `putAgent` reads the
/// assistant again, refuses it when the slice changed since that version,
/// splices the settings into what it read, checks `updatedAt` once more just
/// before the PATCH, and sends the other fields exactly as read. Vapi
/// replaces a nested object whole on PATCH, so `model` goes back whole with
/// only `toolIds` changed. A narrow race is left between the last read and
/// the PATCH; plans and reports say the check is emulated.
///
/// Requests are paced (`requestInterval` apart) and retried as the platform
/// client retries them (429 and 503 always, honouring `Retry-After`; other
/// 5xx only for reads and PATCHes, which replace values and so may be sent
/// twice). A POST is never repeated blindly: a tool whose creation may have
/// landed is looked up before it is created again.
public final class VapiPlatform: ManagedPlatform, Sendable {
    public var conditionalWrites: ConditionalWrites { .emulated }

    public let environment: String
    let transport: HTTPPlatform
    let slice: VapiSlice
    let pacer: Pacer
    let logger: Logger
    /// How many assistants or tools one list request asks for.
    let pageSize: Int
    /// The last listing of assistants and tools, for binding by name and
    /// finding tools created by an attempt whose answer was lost.
    let listing = LockedBox<Listing?>(nil)
    /// Tools this run created or took for an agent: never taken for another.
    let claimed = LockedBox<Set<String>>([])
    /// The calls the last page of tickets was cut from, for the next page
    /// of the same pull (keyed by the cursor that page handed out).
    let callScan = LockedBox<CallScan?>(nil)

    /// The model a new assistant gets; its prompt, voice and model are the team's to set on Vapi.
    public static let newAssistantModel: JSONValue = .object([
        "provider": .string("openai"), "model": .string("gpt-4o"),
    ])

    public init(
        baseURL: String, token: String, environment: String, flagWebhook: String?,
        requestInterval: Duration = .milliseconds(100), pageSize: Int = VapiPlatform.largestPage,
        configuration: HTTPPlatform.Configuration = .init(), logger: Logger,
        onRetry: (@Sendable (String) -> Void)? = nil
    ) throws(HTTPPlatformSetupError) {
        self.pageSize = max(1, pageSize)
        transport = try HTTPPlatform(
            baseURL: baseURL, token: token, configuration: configuration, logger: logger, onRetry: onRetry)
        self.environment = environment
        slice = VapiSlice(environment: environment, flagWebhook: flagWebhook)
        pacer = Pacer(interval: requestInterval)
        self.logger = logger
    }

    public func shutdown() async throws { try await transport.shutdown() }

    // MARK: - AgentTarget

    public func info() async throws(PlatformError) -> PlatformInfo {
        // Visible ASCII (it goes into commits): the environment's tickets on this API.
        PlatformInfo(instance: "vapi:" + environment + "@" + transport.baseURL, apiVersion: "vapi")
    }

    public func agents() async throws(PlatformError) -> [Agent] {
        let listing = try await list()
        var agents: [Agent] = []
        for assistant in listing.assistants {
            guard let id = assistant["id"]?.string else { continue }
            let version = VapiSlice.version(of: assistant, tools: listing.tools)
            let updatedAt = assistant["updatedAt"]?.string ?? ""
            if let settings = slice.settings(of: assistant, tools: listing.tools) {
                if let twin = agents.first(where: { $0.id == settings.id && !$0.adoptable }) {
                    throw .invalid(
                        field: nil,
                        message:
                            "assistants \(twin.version.prefix { $0 != ":" }) and \(id) are both bound to agent \(settings.id) of environment \(environment) (a duplicate made on Vapi copies its metadata); remove metadata.supportsync from the one that should not be managed"
                    )
                }
                var agent = Agent(settings, version: version, updatedAt: updatedAt)
                (agent.providerChanges, agent.providerDrift) = slice.pendingChanges(of: assistant, tools: listing.tools)
                agent.notes = VapiSlice.notes(of: assistant, tools: listing.tools)
                agents.append(agent)
            } else if let settings = VapiSlice.unbound(assistant) {
                var agent = Agent(settings, version: version, updatedAt: updatedAt)
                agent.adoptable = true
                agent.notes = VapiSlice.notes(of: assistant, tools: listing.tools)
                agents.append(agent)
            }
        }
        return agents.sorted { $0.id < $1.id }
    }

    /// The agent's assistant now: the last listing, with the assistants
    /// changed since it fetched alone (so `apply`'s check before each
    /// create costs two small requests, not a listing of everything).
    public func agent(id: String) async throws(PlatformError) -> Agent? {
        let listing = try await refreshed()
        for assistant in listing.assistants {
            guard let settings = slice.settings(of: assistant, tools: listing.tools), settings.id == id,
                assistant["id"]?.string != nil
            else { continue }
            return Agent(
                settings,
                version: VapiSlice.version(of: assistant, tools: listing.tools),
                updatedAt: assistant["updatedAt"]?.string ?? "")
        }
        return nil
    }

    public func putAgent(id: String, _ write: AgentWrite, expecting precondition: AgentPrecondition)
        async throws(PlatformError) -> Agent
    {
        let settings = write.settings(id: id)
        let desired = slice.desired(settings)
        let revision: String
        switch precondition {
        case .unconditional: return try await create(desired, agent: id)
        case .absent:
            // Emulated, as every condition is here: read again just before.
            if let existing = try await agent(id: id) {
                throw .versionConflict(
                    "agent \(id) exists on Vapi (assistant version \(existing.version)), expected none; emulated check")
            }
            return try await create(desired, agent: id)
        case .revision(let expected): revision = expected
        }
        guard let colon = revision.firstIndex(of: ":") else {
            throw .versionConflict("'\(revision)' is not a version this provider handed out; plan again")
        }
        let assistantID = String(revision[..<colon])
        let seen = String(revision[revision.index(after: colon)...])
        guard let assistant = try await assistant(assistantID) else {
            throw .versionConflict("assistant \(assistantID) was deleted on Vapi since the plan")
        }
        if let binding = VapiSlice.binding(of: assistant), binding.agent != id || binding.environment != environment {
            throw .versionConflict(
                "assistant \(assistantID) is now bound to agent \(binding.agent) of environment \(binding.environment)")
        }
        let tools = try await managedTools(of: assistant)
        let now = VapiSlice.digest(VapiSlice.slice(of: assistant, tools: tools))
        guard now == seen else {
            throw .versionConflict(
                "assistant \(assistantID)'s support settings changed on Vapi since the plan (version \(now), planned at \(seen); emulated check)"
            )
        }
        return try await update(assistant, tools: tools, to: desired, agent: id)
    }

    // MARK: - Writing

    private func create(_ desired: VapiSlice.Desired, agent: String) async throws(PlatformError) -> Agent {
        let transferTool = try await ensureTool(
            desired.transferTool, existing: nil, tools: [:], role: "transfer", agent: agent)
        let flagTool = try await ensureTool(desired.flagTool, existing: nil, tools: [:], role: "flag", agent: agent)
        let (transfer, flag) = (transferTool?.id, flagTool?.id)
        var model = Self.newAssistantModel
        let attached = [transfer, flag].compactMap { $0 }
        if !attached.isEmpty { model["toolIds"] = JSONValue(attached) }
        var body: [String: JSONValue] = [
            "name": .string(desired.name),
            "metadata": .object([VapiSlice.metadataKey: Self.binding(desired, transfer: transfer, flag: flag)]),
            "model": model,
        ]
        if let output = desired.output { body["artifactPlan"] = .object(["structuredOutputs": .array([output])]) }
        let created = try await send(.post, ["assistant"], body: .object(body), resource: "agent \(agent)")
        return try agentRead(from: created, tools: Self.byID([transferTool, flagTool]), resource: "agent \(agent)")
    }

    private func update(
        _ assistant: JSONValue, tools: [String: JSONValue], to desired: VapiSlice.Desired, agent: String
    ) async throws(PlatformError) -> Agent {
        let assistantID = assistant["id"]?.string ?? ""
        let binding = VapiSlice.binding(of: assistant)
        // Before any tool is made: one for an assistant that cannot carry it would be left unused.
        if assistant["model"] == nil, desired.transferTool != nil || desired.flagTool != nil {
            throw .invalid(
                field: nil,
                message:
                    "assistant \(assistantID) has no model to carry agent \(agent)'s tools; choose its model on Vapi, then apply again"
            )
        }
        // A copy made on Vapi's dashboard keeps its original's metadata, tool
        // ids included: a tool an older assistant uses (the original, another
        // environment's) is left to it, and this assistant gets one of its own.
        let shared = try await toolsUsed(before: assistant)
        let own = { (id: String?) in id.flatMap { shared.contains($0) ? nil : $0 } }
        let transferTool = try await ensureTool(
            desired.transferTool, existing: own(binding?.transferTool), tools: tools, role: "transfer", agent: agent)
        let flagTool = try await ensureTool(
            desired.flagTool, existing: own(binding?.flagTool), tools: tools, role: "flag", agent: agent)
        let (transfer, flag) = (transferTool?.id, flagTool?.id)
        let before = Set([binding?.transferTool, binding?.flagTool].compactMap { $0 })
        let after = [transfer, flag].compactMap { $0 }
        let body = Self.splice(assistant, desired: desired, transfer: transfer, flag: flag, managedBefore: before)

        // The last read: nothing may have changed the assistant meanwhile.
        guard let latest = try await self.assistant(assistantID),
            latest["updatedAt"] == assistant["updatedAt"]
        else {
            throw .versionConflict(
                "assistant \(assistantID) changed on Vapi while it was being applied; the assistant was not written (its supportsync tools may have been; emulated check)"
            )
        }
        var request = PlatformRequest(.patch, ["assistant", assistantID], resource: "agent \(agent)")
        request.idempotent = true
        let patched = try await send(request, body: body)
        // Only the managed slice must read back as written: Vapi may add
        // defaults, or normalise what supportsync does not own.
        var expected = assistant
        for (key, value) in body.object ?? [:] { expected[key] = value }
        try Self.requireWritten(
            VapiSlice.slice(of: expected, tools: [:]), in: patched, as: VapiSlice.slice(of: patched, tools: [:]),
            id: assistantID, resource: "agent \(agent)", kind: "assistant")
        // Tools no longer wanted go, unless something else uses them now;
        // when the assistants cannot be listed, nothing is known unused.
        var unwanted = before.subtracting(after)
        if !unwanted.isEmpty {
            do {
                let others = try await list().assistants.filter { $0["id"]?.string != assistantID }
                unwanted.subtract(others.flatMap { $0["model"]?["toolIds"]?.strings ?? [] })
            } catch {
                logger.warning(
                    "tools no longer used were not deleted: the assistants could not be listed to check that nothing else uses them",
                    metadata: ["tools": "\(unwanted.sorted().joined(separator: ", "))", "reason": "\(error)"])
                unwanted = []
            }
        }
        for id in unwanted.sorted() {
            var delete = PlatformRequest(.delete, ["tool", id], resource: "agent \(agent)")
            delete.idempotent = true
            do {
                _ = try await send(delete, body: nil, missingIsNil: true)
            } catch {
                logger.warning(
                    "a tool no longer used was not deleted", metadata: ["tool": "\(id)", "reason": "\(error)"])
            }
        }
        return try agentRead(from: patched, tools: Self.byID([transferTool, flagTool]), resource: "agent \(agent)")
    }

    /// Vapi's answer to a PATCH is the object as it now is: the one
    /// written, holding what was sent (`read`, the part of the answer to
    /// compare, holds `wanted`; defaults may be added). An answer that is
    /// another object, or the object as it was, is a write that did not
    /// take, not one to report as applied.
    static func requireWritten(
        _ wanted: JSONValue, in answer: JSONValue, as read: JSONValue, id: String, resource: String, kind: String
    ) throws(PlatformError) {
        guard answer["id"]?.string == id else {
            throw .failed(
                "\(resource): Vapi answered the PATCH of \(kind) \(PrintableText.escaping(id)) with another \(kind) (\(PrintableText.escaping(answer["id"]?.string ?? "no id"))); plan again to see what Vapi holds"
            )
        }
        guard read.includes(wanted) else {
            throw .failed(
                "\(resource): Vapi answered the PATCH of \(kind) \(PrintableText.escaping(id)) without the values written; plan again to see what Vapi holds"
            )
        }
    }

    static func byID(_ tools: [(id: String, tool: JSONValue)?]) -> [String: JSONValue] {
        Dictionary(tools.compactMap { $0 }.map { ($0.id, $0.tool) }, uniquingKeysWith: { first, _ in first })
    }

    /// The assistant's PATCH body: what was read, with the managed slice set.
    static func splice(
        _ assistant: JSONValue, desired: VapiSlice.Desired, transfer: String?, flag: String?, managedBefore: Set<String>
    ) -> JSONValue {
        var metadata = assistant["metadata"]?.object ?? [:]
        metadata[VapiSlice.metadataKey] = binding(desired, transfer: transfer, flag: flag)
        var body: [String: JSONValue] = ["name": .string(desired.name), "metadata": .object(metadata)]
        let attached = [transfer, flag].compactMap { $0 }
        if var model = assistant["model"] {
            let kept = (model["toolIds"]?.strings ?? []).filter {
                !managedBefore.contains($0) && !attached.contains($0)
            }
            let toolIds = kept + attached
            if model["toolIds"] != nil || !toolIds.isEmpty {
                model["toolIds"] = JSONValue(toolIds)
            }
            // The model goes back whole (Vapi replaces it whole), and only
            // when its tools change.
            if model != assistant["model"] { body["model"] = model }
        }
        let outputs = assistant["artifactPlan"]?["structuredOutputs"]?.array ?? []
        let others = outputs.filter { $0["name"]?.string != VapiSlice.outputName }
        let wanted = others + (desired.output.map { [$0] } ?? [])
        if wanted != outputs {
            var plan = assistant["artifactPlan"] ?? .object([:])
            plan["structuredOutputs"] = wanted.isEmpty && outputs.isEmpty ? nil : .array(wanted)
            body["artifactPlan"] = plan
        }
        return .object(body)
    }

    /// `metadata.supportsync`: the desired binding with the managed tools'
    /// ids and, with a flag tool, a digest of the URL it posts to (so a URL
    /// edited on Vapi's dashboard is told from a changed `flag_webhook`).
    static func binding(_ desired: VapiSlice.Desired, transfer: String?, flag: String?) -> JSONValue {
        var binding = desired.binding
        var tools: [String: JSONValue] = [:]
        if let transfer { tools["transfer"] = .string(transfer) }
        if let flag {
            tools["flag"] = .string(flag)
            if let url = desired.flagTool?["server"]?["url"]?.string {
                tools[VapiSlice.flagURLDigestKey] = .string(VapiSlice.urlDigest(url))
            }
        }
        binding["tools"] = .object(tools)
        return binding
    }

    /// The tools the assistants made before `assistant` use (in their model
    /// or binding), from this run's listing: a copy is newer than its
    /// original, which keeps its tools.
    private func toolsUsed(before assistant: JSONValue) async throws(PlatformError) -> Set<String> {
        let listing: Listing
        if let cached = self.listing.value { listing = cached } else { listing = try await list() }
        let id = assistant["id"]?.string ?? ""
        let created = assistant["createdAt"]?.string ?? ""
        func isOlder(_ other: JSONValue) -> Bool {
            let otherCreated = other["createdAt"]?.string ?? ""
            return otherCreated < created || (otherCreated == created && (other["id"]?.string ?? "") < id)
        }
        var used: Set<String> = []
        for other in listing.assistants where other["id"]?.string != id && isOlder(other) {
            used.formUnion(other["model"]?["toolIds"]?.strings ?? [])
            if let binding = VapiSlice.binding(of: other) {
                used.formUnion([binding.transferTool, binding.flagTool].compactMap { $0 })
            }
        }
        return used
    }

    /// A managed tool holding `body`, with its id, as Vapi holds it: the
    /// existing one (updated when it differs), else one an earlier attempt
    /// created and nothing uses, else a new one. Nil when no tool is wanted.
    private func ensureTool(
        _ body: JSONValue?, existing: String?, tools: [String: JSONValue], role: String, agent: String
    ) async throws(PlatformError) -> (id: String, tool: JSONValue)? {
        guard let body else { return nil }
        let resource = "agent \(agent) (\(role) tool)"
        if let existing, let tool = tools[existing] {
            if tool.includes(body) { return (existing, tool) }
            var request = PlatformRequest(.patch, ["tool", existing], resource: resource)
            request.idempotent = true
            let patched = try await send(request, body: body)
            try Self.requireWritten(body, in: patched, as: patched, id: existing, resource: resource, kind: "tool")
            return (existing, patched)
        }
        if let orphan = try await orphanTool(matching: body, fresh: false) { return orphan }
        let created: JSONValue
        do {
            created = try await send(.post, ["tool"], body: body, resource: resource)
        } catch {
            // The tool may have been created before the answer was lost.
            // (No answer, or a gateway's 502/504 after the write reached Vapi.)
            switch error {
            case .unavailable, .failed, .tooLarge: break
            default: throw error
            }
            guard let orphan = try await orphanTool(matching: body, fresh: true) else { throw error }
            return orphan
        }
        guard let id = created["id"]?.string else { throw .failed("\(resource): Vapi's answer has no id") }
        claimed.withValue { _ = $0.insert(id) }
        return (id, created)
    }

    /// A tool with exactly `body`'s managed fields that no assistant uses.
    private func orphanTool(matching body: JSONValue, fresh: Bool) async throws(PlatformError) -> (
        id: String, tool: JSONValue
    )? {
        let listing: Listing
        if !fresh, let cached = self.listing.value {
            listing = cached
        } else {
            listing = try await list()
        }
        let used = Set(
            listing.assistants.flatMap { assistant -> [String] in
                let binding = VapiSlice.binding(of: assistant)
                return (assistant["model"]?["toolIds"]?.strings ?? [])
                    + [binding?.transferTool, binding?.flagTool].compactMap { $0 }
            })
        let candidates = listing.tools.sorted { $0.key < $1.key }.filter { id, tool in
            !used.contains(id) && tool.includes(body)
        }
        // Taken under the lock: two agents with the same tool body never share one.
        return claimed.withValue { claimed in
            guard let found = candidates.first(where: { !claimed.contains($0.key) }) else { return nil }
            claimed.insert(found.key)
            return (found.key, found.value)
        }
    }

    // MARK: - Reading

    struct Listing: Sendable {
        var assistants: [JSONValue]
        var tools: [String: JSONValue]
    }

    /// Every assistant and tool, paged by creation time.
    func list() async throws(PlatformError) -> Listing {
        let assistants = try await everything("assistant", resource: "assistants")
        let tools = try await everything("tool", resource: "tools")
        var byID: [String: JSONValue] = [:]
        for tool in tools { if let id = tool["id"]?.string { byID[id] = tool } }
        let listing = Listing(assistants: assistants, tools: byID)
        self.listing.value = listing
        return listing
    }

    /// The last listing with the assistants updated since its newest one
    /// read again; a whole listing when there is none yet.
    func refreshed() async throws(PlatformError) -> Listing {
        guard var listing = self.listing.value,
            let since = listing.assistants.compactMap({ $0["updatedAt"]?.string }).max()
        else { return try await list() }
        let changed = try await everything("assistant", resource: "assistants", filter: [("updatedAtGe", since)])
        for assistant in changed {
            if let index = listing.assistants.firstIndex(where: { $0["id"] == assistant["id"] }) {
                listing.assistants[index] = assistant
            } else {
                listing.assistants.append(assistant)
            }
        }
        self.listing.value = listing
        return listing
    }

    /// Vapi's largest page, which the lists ask for.
    public static let largestPage = 1000

    /// `GET /<kind>` page by page: newest first, each next page created no
    /// later than the oldest seen (equal times are read again and deduplicated
    /// by id, so none is lost at a page's edge).
    private func everything(_ kind: String, resource: String, filter: [(String, String)] = [])
        async throws(PlatformError) -> [JSONValue]
    {
        var all: [JSONValue] = []
        var odd: [String] = []
        try await each(kind, resource: resource, filter: filter, mostPages: Self.mostPages) {
            (item: JSONValue) throws(PlatformError) in
            // Vapi's ids are UUIDs; an id that is not short visible text is
            // not one to bind, print or send back.
            guard let id = item["id"]?.string, Self.isPlainID(id) else {
                odd.append(PrintableText.escaping(String((item["id"]?.string ?? "(none)").prefix(80))))
                return
            }
            all.append(item)
            guard all.count <= Self.mostListed else {
                throw PlatformError.failed(
                    "\(resource): Vapi listed more than \(Self.mostListed); nothing was changed")
            }
        }
        if !odd.isEmpty {
            logger.warning(
                "\(resource) with an id that is not Vapi's were left out",
                metadata: ["ids": "\(odd.prefix(5).joined(separator: ", "))", "count": "\(odd.count)"])
        }
        return all
    }

    /// The most assistants, or tools, one listing holds.
    static let mostListed = 100_000

    /// 1 to 64 letters, digits, `-` and `_`: every id Vapi hands out.
    static func isPlainID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D
                    || $0 == 0x5F
            }
    }

    /// Hands each item of `GET /<kind>` to `body`, page by page, once each:
    /// a caller that keeps only what it needs of each (calls are large)
    /// holds one page at a time.
    /// `mostPages`: a listing held whole (assistants, tools) stops there;
    /// calls are read through (each page must bring something new).
    func each(
        _ kind: String, resource: String, filter: [(String, String)] = [], pageSize: Int? = nil,
        mostPages: Int? = nil, _ body: (JSONValue) throws(PlatformError) -> Void
    ) async throws(PlatformError) {
        let asked = pageSize ?? self.pageSize
        var pageSize = asked
        var before: (key: String, time: String)?
        var seen: Set<String> = []
        var pages = 0
        // Whether the page asked for was made larger again to hold items of
        // one creation time (since the last page that brought something new).
        var regrowing = false
        // A page of one creation time shorter than asked, read past: what
        // the next page brings tells whether it was the end of the list.
        var pastTie: (time: String, count: Int)?
        // The most items this Vapi put on a page shorter than asked that was
        // not the end (a later page brought more): how many a page holds
        // here, whatever is asked. A page of one time that long may have been
        // cut. (A page as long as asked shows nothing of the kind: the page
        // asked for may have been made smaller for answers too large.)
        var heldToAtLeast = 0
        var lastNewPage: (count: Int, asked: Int)?
        while true {
            pages += 1
            if let mostPages, pages > mostPages {
                throw .failed(
                    "\(resource): Vapi was still listing after \(mostPages) pages (\(seen.count) items); nothing was changed"
                )
            }
            var query = [("limit", String(pageSize))] + filter
            if let before { query.append((before.key, before.time)) }
            let page: JSONValue
            let bytes: Int
            do {
                (page, bytes) = try await sendMeasured(
                    PlatformRequest(.get, [kind], query: query, resource: resource), body: nil)
            } catch {
                // An answer over the client's limit (calls with long
                // transcripts): the same page again, half as long.
                // Never below 2: a page of one, read on from its own time,
                // would bring only that item again, and end the list there.
                guard case .tooLarge = error else { throw error }
                if regrowing {
                    // Items of one time that no page within the limit holds:
                    // stopped, never passed over (the cursor stays).
                    throw PlatformError.failed(
                        "\(resource): more were created at one time (\(PrintableText.escaping(before?.time ?? "?"))) than a page within the client's size limit holds, and Vapi's list cannot go on past them; nothing after them was read. Report it to Vapi"
                    )
                }
                guard pageSize > 2 else { throw error }
                pageSize = max(2, pageSize / 2)
                logger.info(
                    "an answer was too large; asking for smaller pages",
                    metadata: ["resource": "\(resource)", "limit": "\(pageSize)"])
                pages -= 1
                continue
            }
            let items = page.array ?? []
            var added = 0
            for item in items where seen.insert(item["id"]?.string ?? "").inserted {
                try body(item)
                added += 1
            }
            // `limit` is the most a page holds, but a Vapi may hold pages to
            // fewer: a short page is no end. The list ends at a page that
            // brings nothing new (the next one, read from the oldest time
            // seen, holds only what was read), or at an empty one.
            if added > 0 {
                if let lastNewPage, lastNewPage.count < lastNewPage.asked {
                    heldToAtLeast = max(heldToAtLeast, lastNewPage.count)
                }
                lastNewPage = (items.count, pageSize)
            }
            if let tied = pastTie {
                pastTie = nil
                if !items.isEmpty || (heldToAtLeast > 0 && tied.count >= heldToAtLeast) {
                    // Older items follow the tie, or this Vapi cut earlier
                    // pages at that length: the page of one time was all a
                    // page holds here, and more of that time may be past it.
                    try endOfTie(at: tied.time, count: tied.count, resource: resource, listedWhole: mostPages != nil)
                }
            }
            guard let oldest = items.compactMap({ $0["createdAt"]?.string }).min() else { break }
            guard added > 0 else {
                // A page created in one millisecond, read again: Vapi's list
                // has no finer position to go on from than that time.
                guard items.count > 1, items.compactMap({ $0["createdAt"]?.string }).max() == oldest,
                    before?.key != "createdAtLt"
                else { break }
                // Pages made smaller for answers too large: larger again, to
                // hold every item of that time (a smaller one fails again
                // if they do not fit: said, never skipped).
                if pageSize < asked, items.count >= pageSize {
                    regrowing = true
                    pageSize = min(asked, pageSize * 2)
                    continue
                }
                before = ("createdAtLt", oldest)
                if items.count >= pageSize || items.count == Self.defaultPage {
                    // A whole page of that time, as asked or as Vapi's default holds.
                    try endOfTie(at: oldest, count: items.count, resource: resource, listedWhole: mostPages != nil)
                } else {
                    // Shorter than asked: the end of the list, unless older
                    // items follow (then a Vapi holding pages to this few),
                    // or this Vapi cut a page at this length before. (With no
                    // page before it, a whole list of one time on one page of
                    // such a Vapi cannot be told from a list that ends there.)
                    pastTie = (oldest, items.count)
                }
                continue
            }
            before = ("createdAtLe", oldest)
            regrowing = false
            // Smaller pages were for some large items: larger again once a
            // page is well under the limit, as the HTTP provider's grow.
            if pageSize < asked, bytes < transport.configuration.maxResponseBytes / 4 {
                pageSize = min(asked, pageSize * 2)
            }
        }
    }

    /// A whole page created at one time, read past with `createdAtLt`:
    /// items of that time past the page cannot be read. A listing held
    /// whole (assistants, tools) is refused, since one missing some would
    /// create agents twice; calls read on with a warning.
    private func endOfTie(at time: String, count: Int, resource: String, listedWhole: Bool) throws(PlatformError) {
        if listedWhole {
            throw .failed(
                "\(resource): Vapi lists a whole page of \(count) created at one time (\(PrintableText.escaping(time))), and its list cannot go on past them, so some may be missing; nothing was changed. Delete or recreate some of them on Vapi, then run again"
            )
        }
        logger.warning(
            "a page of \(resource) shares one creation time; items created at that time past the page may be missing",
            metadata: ["createdAt": "\(PrintableText.escaping(time))"])
    }

    /// The page Vapi answers when asked for none in particular.
    static let defaultPage = 100

    /// The most pages one listing of assistants or tools reads: a list that never ends is refused.
    static let mostPages = 10_000

    func assistant(_ id: String) async throws(PlatformError) -> JSONValue? {
        let request = PlatformRequest(.get, ["assistant", id], resource: "assistant \(id)")
        let answer = try await send(request, body: nil, missingIsNil: true)
        return answer == .null ? nil : answer
    }

    /// The tools the assistant's binding names, as they are now.
    func managedTools(of assistant: JSONValue) async throws(PlatformError) -> [String: JSONValue] {
        guard let binding = VapiSlice.binding(of: assistant) else { return [:] }
        var tools: [String: JSONValue] = [:]
        for id in [binding.transferTool, binding.flagTool].compactMap({ $0 }) {
            let answer = try await send(
                PlatformRequest(.get, ["tool", id], resource: "tool \(id)"), body: nil, missingIsNil: true)
            if answer != .null { tools[id] = answer }
        }
        return tools
    }

    /// The agent an assistant just written holds, with the tools just written.
    private func agentRead(from assistant: JSONValue, tools: [String: JSONValue], resource: String)
        throws(PlatformError) -> Agent
    {
        guard let id = assistant["id"]?.string, Self.isPlainID(id),
            let settings = slice.settings(of: assistant, tools: tools)
        else {
            throw .failed("\(resource): Vapi's answer is not the assistant written")
        }
        return Agent(
            settings, version: VapiSlice.version(of: assistant, tools: tools),
            updatedAt: assistant["updatedAt"]?.string ?? "")
    }

    // MARK: - Sending

    private func send(
        _ method: PlatformRequest.Method, _ segments: [String], body: JSONValue?, resource: String
    ) async throws(PlatformError) -> JSONValue {
        try await send(PlatformRequest(method, segments, resource: resource), body: body)
    }

    /// Sends one request (paced) and reads its JSON answer; `.null` for a 404 when `missingIsNil`.
    func send(_ request: PlatformRequest, body: JSONValue?, missingIsNil: Bool = false) async throws(PlatformError)
        -> JSONValue
    {
        try await sendMeasured(request, body: body, missingIsNil: missingIsNil).answer
    }

    /// `send`, with the size of the answer's body in bytes.
    func sendMeasured(_ request: PlatformRequest, body: JSONValue?, missingIsNil: Bool = false)
        async throws(PlatformError) -> (answer: JSONValue, bytes: Int)
    {
        var request = request
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            request.body = try? encoder.encode(body)
        }
        await pacer.wait()
        let exchange = try await transport.send(request)
        let data = Data(exchange.body.readableBytesView)
        let context = "\(request.resource): HTTP \(exchange.status) on \(transport.shown(request))"
        if (200...299).contains(exchange.status) {
            do {
                return (try JSONDecoder().decode(JSONValue.self, from: data), data.count)
            } catch {
                throw .failed(
                    transport.redact("\(context): the answer is \(JSONCoding.summary(of: error, json: data))"))
            }
        }
        // What Vapi says is shown, with control characters escaped, and the
        // flag webhook (whose URL may carry a key) as plan shows it.
        let said = Self.message(in: data).map { message in
            PrintableText.escaping(
                slice.flagWebhook.map { message.replacingOccurrences(of: $0, with: VapiSlice.shownWebhook($0)) }
                    ?? message)
        }
        let message = transport.redact(
            context + (said.map { ": " + $0 } ?? "") + (exchange.note.map { "; " + $0 } ?? ""))
        switch exchange.status {
        case 404 where missingIsNil: return (.null, data.count)
        // A list Vapi does not have is the wrong URL, not a missing item.
        case 404 where request.method == .get && !request.path.dropFirst().contains("/"):
            throw .failed(
                message + "; check the environment's url in supportsync.yaml (Vapi's API is https://api.vapi.ai)")
        case 404: throw .notFound(message)
        case 400, 422: throw .invalid(field: nil, message: message)
        case 401:
            throw .unauthorized(
                transport.redact(
                    context
                        + ": Vapi refused the API key; check the environment's token in supportsync.yaml (a private key of the organization)"
                ))
        case 403:
            throw .forbidden(
                message + "; the API key may not do this: check that it is a private key of the organization")
        case 409: throw .versionConflict(message)
        case 413: throw .tooLarge(message)
        case 429, 503: throw .unavailable(message)
        default: throw .failed(message)
        }
    }

    /// What a Vapi error body says: `message` as one string or a list of them.
    static func message(in data: Data) -> String? {
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        if let text = body["message"]?.string { return text }
        if let list = body["message"]?.strings, !list.isEmpty { return list.joined(separator: "; ") }
        return nil
    }
}

/// Spaces requests at least `interval` apart, across every task of a run.
actor Pacer {
    let interval: Duration
    private var next = ContinuousClock.now

    init(interval: Duration) { self.interval = interval }

    func wait() async {
        let now = ContinuousClock.now
        let start = max(now, next)
        next = start + interval
        if start > now { try? await Task.sleep(until: start, clock: .continuous) }
    }
}

/// A value behind a lock, for the platform's run-long caches.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    func withValue<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}
