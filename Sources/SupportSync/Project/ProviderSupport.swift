/// What a provider can express of the support settings, after octoDNS's
/// `SUPPORTS` and `strict_supports`: a setting a provider cannot express is
/// a located diagnostic in `validate` and `plan`, an error unless the
/// environment says `strict_supports: false` (then a warning), never
/// silently dropped.
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

        /// The settings' path, as messages name it.
        var path: String {
            switch self {
            case .hours: return "support.escalate.hours"
            case .closed: return "support.escalate.hours.closed"
            case .ringTimeout: return "support.escalate.ring_timeout"
            case .announce: return "support.escalate.announce"
            case .summary: return "support.escalate.summary"
            case .extension: return "support.escalate.destinations[].extension"
            case .sip: return "support.escalate.destinations[].sip"
            case .decide: return "support.mode: decide"
            }
        }
    }

    /// What the provider cannot express.
    public var unsupported: Set<Feature>

    public init(unsupported: Set<Feature> = []) {
        self.unsupported = unsupported
    }

    /// The built-in providers: the platform API and the local platform express everything.
    public static func of(_ provider: ProjectFile.Provider) -> ProviderSupport {
        switch provider {
        case .http, .local: return ProviderSupport()
        }
    }

    /// Each unsupported setting `support` (an agent's merged block) writes,
    /// at its key.
    func diagnostics(
        for support: ConfigNode?, environment: String, provider: String, strict: Bool
    ) -> [Diagnostic] {
        guard !unsupported.isEmpty, let support, support.members != nil else { return [] }
        var found: [Diagnostic] = []
        func report(_ feature: Feature, at location: SourceLocation) {
            found.append(
                Diagnostic(
                    .providerUnsupported, at: location,
                    "the \(provider) provider of environment '\(environment)' cannot express \(feature.path)",
                    hint: strict
                        ? "remove it for this environment in its overlay (\(feature.rawValue): null), or set strict_supports: false to be warned instead"
                        : "it is ignored on this platform", severity: strict ? .error : .warning))
        }
        func written(_ node: ConfigNode?, _ key: String) -> ConfigNode.Member? {
            guard let member = node?[key], !member.value.isNull else { return nil }
            return member
        }
        let escalate = written(support, "escalate")?.value
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
        for destination in written(escalate, "destinations")?.value.items ?? [] {
            for feature in [Feature.extension, .sip] where unsupported.contains(feature) {
                if let member = written(destination, feature.rawValue) { report(feature, at: member.keyLocation) }
            }
        }
        return found
    }
}
