import Foundation

/// `supportsync.yaml` at the repository root: named platforms (one of them
/// the default), how to reach each, and the overlay each applies over the
/// agents. Optional: without it every command behaves as without
/// environments.
///
/// ```yaml
/// platforms:
///   production:
///     provider: http
///     url: env/SUPPORTSYNC_PLATFORM
///     token: env/SUPPORTSYNC_TOKEN
///     pull_tickets: true
///   staging:
///     provider: http
///     url: https://staging.example.com
///     token: env/STAGING_TOKEN
///     overlay: config/environments/staging.yaml
/// default: production
/// tickets:
///   seal: [customer, summary, fields, reason]   # the default
///   erase_closed_after: 365d
/// ```
public struct ProjectFile: Sendable {
    public static let path = "supportsync.yaml"

    public enum Provider: String, Sendable, CaseIterable {
        /// A server that speaks the platform API.
        case http
        /// The local platform, a SQLite file.
        case local
        /// Vapi's API: agents are Vapi assistants (`VapiProvider`).
        case vapi
    }

    /// A setting written as a literal, or as `env/NAME`: read from the
    /// environment variable NAME when a command runs.
    public enum Setting: Sendable, Hashable, CustomStringConvertible {
        case literal(String)
        case variable(String)

        public static let prefix = "env/"

        init(_ text: String) {
            self = text.hasPrefix(Self.prefix) ? .variable(String(text.dropFirst(Self.prefix.count))) : .literal(text)
        }

        /// The value now: the literal, or the variable's (nil when unset or empty).
        public func resolve(_ environment: [String: String]) -> String? {
            switch self {
            case .literal(let text): return text
            case .variable(let name): return environment[name].flatMap { $0.isEmpty ? nil : $0 }
            }
        }

        public var description: String {
            switch self {
            case .literal(let text): return text
            case .variable(let name): return Self.prefix + name
            }
        }
    }

    /// One named platform: an environment.
    public struct Platform: Sendable {
        public var name: String
        public var provider: Provider
        /// The API's URL (provider http; provider vapi, where it defaults to `https://api.vapi.ai`).
        public var url: Setting?
        /// The bearer token (providers http and vapi); only ever `env/NAME`.
        public var token: Setting
        /// The URL Vapi calls when an agent flags a case in a call (provider
        /// vapi): with it, agents get an in-call tool that asks for the
        /// required `collect` fields; without it, tickets come from each
        /// call's extraction only.
        public var flagWebhook: Setting?
        /// The SQLite file (provider local), relative to the repository root.
        public var database: String?
        /// A local platform that CI may use on purpose.
        public var ci: Bool
        /// Whether this platform's tickets are pulled into tickets/.
        public var pullTickets: Bool
        /// The overlay file, relative to the repository root.
        public var overlay: String?
        /// Whether a setting the provider cannot express is an error (else a warning).
        public var strictSupports: Bool
    }

    /// In the order written.
    public var platforms: [Platform]
    public var defaultPlatform: String?
    /// The `tickets:` section: what is sealed, and retention.
    public var tickets = TicketSettings()

    /// How tickets are kept: the defaults apply without the file or the section.
    public struct TicketSettings: Sendable, Hashable {
        /// What the platform seals in ticket files; every field by default.
        public var sealing: Sealing = .all
        /// `sync` erases closed tickets created more than this many days ago.
        public var eraseClosedAfterDays: Int?

        public init(sealing: Sealing = .all, eraseClosedAfterDays: Int? = nil) {
            self.sealing = sealing
            self.eraseClosedAfterDays = eraseClosedAfterDays
        }
    }

    public func platform(named name: String) -> Platform? { platforms.first { $0.name == name } }

    static let environmentName = "^[a-z0-9][a-z0-9-]{0,62}$"

    /// Whether `text` can name a platform of `supportsync.yaml`.
    public static func isEnvironmentName(_ text: String) -> Bool {
        text.range(of: environmentName, options: .regularExpression) != nil
    }
    static let variableName = "^[A-Za-z_][A-Za-z0-9_]{0,127}$"

    /// Reads `supportsync.yaml` under `root`: nil (and no diagnostics) when
    /// there is none; otherwise what could be read, with every problem.
    public static func load(root: URL) -> (project: ProjectFile?, diagnostics: [Diagnostic]) {
        let url = root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return (nil, []) }
        switch RepositoryFile.read(url.path, root: root.path, limit: 1 << 20) {
        case .success(let bytes): return read(bytes, root: root)
        case .failure(let failure):
            let start = SourceLocation(file: path, line: 1, column: 1)
            return (nil, [Diagnostic(.fileUnreadable, at: start, failure.description)])
        }
    }

    /// Reads `supportsync.yaml` from `data` (the file's bytes, from wherever
    /// they were found), for the repository at `root`.
    public static func read(_ data: [UInt8], root: URL) -> (project: ProjectFile?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        guard data.count <= 1 << 20 else {
            let start = SourceLocation(file: path, line: 1, column: 1)
            return (nil, [Diagnostic(.fileUnreadable, at: start, "\(path) is over 1 MiB")])
        }
        guard let node = YAMLFile.load(data, file: path, diagnostics: &diagnostics) else {
            return (nil, diagnostics)
        }
        var reader = NodeReader()
        let project = decode(node, root: root, reader: &reader)
        return (project, diagnostics + reader.diagnostics)
    }

    static func decode(_ node: ConfigNode, root: URL, reader: inout NodeReader) -> ProjectFile? {
        guard let members = reader.mapping(node, path: "", allowed: ["platforms", "default", "tickets"]) else {
            return nil
        }
        var project = ProjectFile(platforms: [], defaultPlatform: nil)
        if let member = members["tickets"] { project.tickets = decodeTickets(member, reader: &reader) }
        // A default with no platform to name: every command would quietly use
        // the local platform (or SUPPORTSYNC_PLATFORM) instead.
        func defaultWithoutPlatforms() {
            guard let member = members["default"], let name = reader.string(member.value, path: "default") else {
                return
            }
            reader.report(
                .projectDefault, at: name.location,
                "default names '\(name.value)', but supportsync.yaml names no platforms",
                hint: "add platforms: with \(name.value) and its provider, or remove default")
        }
        guard let platformsMember = members["platforms"] else {
            defaultWithoutPlatforms()
            return project
        }
        guard let entries = platformsMember.value.members else {
            _ = reader.mapping(platformsMember.value, path: "platforms", allowed: [])
            return project
        }
        for entry in entries {
            if entry.key.range(of: environmentName, options: .regularExpression) == nil {
                reader.report(
                    .invalidValue, at: entry.keyLocation,
                    "'\(entry.key)' is not a platform name; it must match \(environmentName)",
                    hint: "use lower case letters, digits and dashes, e.g. staging")
                continue
            }
            if let platform = decodePlatform(entry, root: root, reader: &reader) { project.platforms.append(platform) }
        }

        let pulling = project.platforms.filter(\.pullTickets)
        for extra in pulling.dropFirst() {
            let location = entries.first { $0.key == extra.name }?.value["pull_tickets"]?.value.location
            reader.report(
                .projectPullTickets, at: location ?? platformsMember.keyLocation,
                "platforms '\(pulling[0].name)' and '\(extra.name)' both have pull_tickets: true; tickets/ holds one platform's tickets",
                hint: "keep pull_tickets: true on one platform")
        }

        if entries.isEmpty {
            defaultWithoutPlatforms()
        } else if let member = members["default"] {
            if let name = reader.string(member.value, path: "default") {
                let names = entries.map(\.key)
                if !names.contains(name.value) {
                    reader.report(
                        .projectDefault, at: name.location, "default names '\(name.value)', which is not a platform",
                        hint: Suggestion.closest(to: name.value, in: names).map { "did you mean '\($0)'?" }
                            ?? "expected one of: \(names.joined(separator: ", "))")
                } else {
                    project.defaultPlatform = name.value
                }
            }
        } else {
            reader.report(
                .projectDefault, at: platformsMember.keyLocation,
                "supportsync.yaml names no default platform",
                hint: "add default: \(entries[0].key), the platform used without --env")
        }
        return project
    }

    private static func decodePlatform(
        _ entry: ConfigNode.Member, root: URL, reader: inout NodeReader
    ) -> Platform? {
        let path = "platforms.\(entry.key)"
        let common = ["provider", "pull_tickets", "overlay", "strict_supports"]
        guard let all = entry.value.members else {
            _ = reader.mapping(entry.value, path: path, allowed: common)
            return nil
        }
        // The keys a provider takes depend on the provider: read it first.
        let providerNode = all.first { $0.key == "provider" }
        guard let providerNode else {
            reader.report(
                .missingKey, at: entry.keyLocation, "\(path) has no provider",
                hint: "add provider: http (a server that speaks the platform API), provider: local or provider: vapi")
            return nil
        }
        let provider: Located<Provider>? = reader.enumeration(
            providerNode.value, path: "provider", rule: .projectProvider)
        guard let provider else { return nil }
        let allowed: [String]
        switch provider.value {
        case .http: allowed = common + ["url", "token"]
        case .local: allowed = common + ["db", "ci"]
        case .vapi: allowed = common + ["url", "token", "flag_webhook"]
        }
        guard let members = reader.mapping(entry.value, path: path, allowed: allowed) else { return nil }

        var platform = Platform(
            name: entry.key, provider: provider.value, url: nil,
            token: .variable(provider.value == .vapi ? "VAPI_TOKEN" : "SUPPORTSYNC_TOKEN"), flagWebhook: nil,
            database: nil, ci: false, pullTickets: false, overlay: nil, strictSupports: true)
        func setting(_ key: String) -> (Setting, SourceLocation)? {
            guard let member = members[key], let text = reader.string(member.value, path: "\(path).\(key)") else {
                return nil
            }
            let value = Setting(text.value)
            if case .variable(let name) = value, name.range(of: variableName, options: .regularExpression) == nil {
                reader.report(
                    .invalidValue, at: text.location, "'\(text.value)' does not name an environment variable",
                    hint: "write env/NAME, e.g. env/SUPPORTSYNC_TOKEN")
            }
            return (value, text.location)
        }
        if provider.value == .http || provider.value == .vapi {
            if let (url, location) = setting("url") {
                platform.url = url
                if case .literal(let text) = url, !isHTTPURL(text) {
                    reader.report(
                        .invalidValue, at: location, "'\(PrintableText.hidingUserInfo(text))' is not an http(s) URL",
                        hint: "write the platform API's URL, e.g. https://platform.example.com, or env/NAME")
                } else if case .literal(let text) = url, PrintableText.hidingUserInfo(text) != text {
                    reader.report(
                        .projectSecret, at: location,
                        "'\(PrintableText.hidingUserInfo(text))' holds a user name or password, which are secrets and never written in the repository",
                        hint: "write the URL without them; the platform's token goes in token: env/NAME")
                }
            } else if provider.value == .vapi {
                platform.url = .literal(vapiURL)
            } else if members["url"] == nil {
                reader.report(
                    .missingKey, at: entry.keyLocation, "\(path) has no url",
                    hint: "add url: https://... or url: env/NAME")
            }
            if let (token, location) = setting("token") {
                if case .literal = token {
                    reader.report(
                        .projectSecret, at: location, "a token is a secret and is never written in the repository",
                        hint: "write token: env/NAME and set the variable NAME where supportsync runs")
                } else {
                    platform.token = token
                }
            }
            if let (webhook, location) = setting("flag_webhook") {
                platform.flagWebhook = webhook
                if case .literal(let text) = webhook, !(isHTTPURL(text) && text.lowercased().hasPrefix("https://")) {
                    reader.report(
                        .invalidValue, at: location, "'\(PrintableText.hidingUserInfo(text))' is not an https URL",
                        hint: "Vapi calls this URL from the internet during calls: write https://..., or env/NAME")
                }
            }
        } else {
            if let member = members["db"], let db = reader.string(member.value, path: "\(path).db") {
                platform.database = db.value
            }
            if let member = members["ci"], let ci = reader.bool(member.value, path: "\(path).ci") {
                platform.ci = ci.value
            }
        }
        if let member = members["pull_tickets"], let pull = reader.bool(member.value, path: "\(path).pull_tickets") {
            platform.pullTickets = pull.value
        }
        if let member = members["strict_supports"],
            let strict = reader.bool(member.value, path: "\(path).strict_supports")
        {
            platform.strictSupports = strict.value
        }
        if let member = members["overlay"], let overlay = reader.string(member.value, path: "\(path).overlay") {
            let file = overlay.value
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: root.appendingPathComponent(file).path, isDirectory: &isDirectory)
            let shown = PrintableText.escaping(file)
            if file.hasPrefix("/") {
                reader.report(
                    .projectOverlay, at: overlay.location, "the overlay '\(shown)' is an absolute path",
                    hint: "name a file by its path in the repository, e.g. config/environments/\(entry.key).yaml")
            } else if file.split(separator: "/").contains("..") {
                reader.report(
                    .projectOverlay, at: overlay.location,
                    "the overlay '\(shown)' names a parent folder ('..'), which could lead outside the repository",
                    hint: "name a file by its path in the repository, e.g. config/environments/\(entry.key).yaml")
            } else if exists, isDirectory.boolValue {
                reader.report(
                    .projectOverlay, at: overlay.location, "the overlay '\(shown)' is a folder, not a file",
                    hint: "name the file in it, e.g. \(shown)/\(entry.key).yaml")
            } else if !exists {
                reader.report(
                    .projectOverlay, at: overlay.location, "the overlay file '\(shown)' does not exist",
                    hint: "create it with a support: block, or remove the overlay key")
            } else {
                platform.overlay = file
            }
        }
        return platform
    }

    private static func decodeTickets(_ member: ConfigNode.Member, reader: inout NodeReader) -> TicketSettings {
        var settings = TicketSettings()
        guard let members = reader.mapping(member.value, path: "tickets", allowed: ["seal", "erase_closed_after"])
        else { return settings }
        if let seal = members["seal"], let items = reader.list(seal.value, path: "tickets.seal") {
            var fields: [SealedField] = []
            for item in items {
                guard let name = reader.string(item, path: "tickets.seal") else { continue }
                guard let field = SealedField(rawValue: name.value) else {
                    let names = SealedField.allCases.map(\.rawValue)
                    reader.report(
                        .invalidValue, at: name.location, "'\(name.value)' is not a ticket field that can be sealed",
                        hint: Suggestion.closest(to: name.value, in: names).map { "did you mean '\($0)'?" }
                            ?? "expected some of: \(names.joined(separator: ", "))")
                    continue
                }
                if fields.contains(field) {
                    reader.report(.invalidValue, at: name.location, "'\(name.value)' is listed twice")
                }
                fields.append(field)
            }
            settings.sealing = Sealing(fields)
            if items.isEmpty {
                reader.report(
                    .ticketsUnsealed, at: seal.value.location,
                    "seal: [] stores customer data (names, e-mails, phones, summaries) in plain text in git, where history keeps it forever",
                    hint: "leave seal out to seal customer data, summary, fields and reason")
            }
        }
        if let after = members["erase_closed_after"], let scalar = after.value.scalar, scalar.coreType == .int {
            // A bare number: the unit is missing (quoting it would not help).
            reader.report(
                .invalidValue, at: after.value.location,
                "tickets.erase_closed_after is a number of days with its unit; '\(scalar.text)' has none",
                hint: Int(scalar.text).map { $0 > 0 } == true
                    ? "write \(scalar.text)d" : "write a whole number of days followed by d, e.g. 365d")
        } else if let after = members["erase_closed_after"],
            let text = reader.string(
                after.value, path: "tickets.erase_closed_after",
                quoteHint: "write a whole number of days followed by d: \(after.value.scalar?.text ?? "365")d")
        {
            if let days = retentionDays(text.value) {
                settings.eraseClosedAfterDays = days
            } else {
                reader.report(
                    .invalidValue, at: text.location, "'\(text.value)' is not a number of days",
                    hint: "write a whole number of days followed by d, e.g. 365d")
            }
        }
        return settings
    }

    /// `365d` -> 365; nil unless a whole number of days from 1 to 36500.
    static func retentionDays(_ text: String) -> Int? {
        guard text.hasSuffix("d"), let days = Int(text.dropLast()), (1...36_500).contains(days),
            text.dropLast().allSatisfy(\.isASCII)
        else { return nil }
        return days
    }

    /// Vapi's API, where a vapi platform points without `url`.
    public static let vapiURL = "https://api.vapi.ai"

    public static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return ["http", "https"].contains(scheme) && url.host != nil
    }
}
