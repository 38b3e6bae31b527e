import Foundation
import Git
import SupportSync

/// The settings the last apply wrote, per environment and agent, kept in
/// the platform base (`refs/supportsync/platform`, pushed with the branch
/// by the sync job): what `plan` compares the live settings with to name
/// edits made on the platform since (`Drift`).
public enum AppliedRecord {
    static let folder = "supportsync-applied"

    static func path(_ environment: String?, _ id: String) -> String {
        "\(folder)/\(environment ?? "default")/\(id).json"
    }

    /// The repository at `root` when it can hold the record: a git
    /// repository on a branch; nil otherwise (plan and apply work without git).
    static func store(root: URL) -> TicketStore? {
        try? TicketStore(root: root)
    }

    /// One agent's record: the settings written and the platform they were
    /// written to. A record of an earlier version holds the settings alone.
    struct Entry: Codable {
        var platformInstance: String
        var settings: AgentSettings

        enum CodingKeys: String, CodingKey {
            case platformInstance = "platform_instance"
            case settings
        }
    }

    /// The last applied settings of the environment's agents on the platform
    /// `platformInstance` names; empty without a record. What was applied to
    /// another platform under the same environment name (another `--db` or
    /// `--platform`) is no record of this one.
    public static func read(root: URL, environment: String?, platformInstance: String?) -> [String: AgentSettings] {
        guard let store = store(root: root), let baseTip = try? store.baseTip() else { return [:] }
        let folder = "\(folder)/\(environment ?? "default")"
        guard let files = try? store.repository.files(under: folder, in: baseTip) else { return [:] }
        var settings: [String: AgentSettings] = [:]
        for file in files where file.path.hasSuffix(".json") {
            guard let bytes = try? store.repository.blob(file.blob) else { continue }
            if let entry = try? JSONDecoder().decode(Entry.self, from: Data(bytes)) {
                if entry.platformInstance == platformInstance { settings[entry.settings.id] = entry.settings }
            } else if let agent = try? JSONDecoder().decode(AgentSettings.self, from: Data(bytes)) {
                settings[agent.id] = agent
            }
        }
        return settings
    }

    /// Records what an apply wrote (a base-only commit; the branch does not
    /// move), for the environment whose tickets this repository pulls: the
    /// platform base is that platform's, and another environment's sync
    /// leaves it alone. Silent without a repository: the record is a
    /// convenience. Returns a warning when the record could not be written
    /// (a lock a killed command left): the next plan would take what this
    /// apply wrote for edits made on the platform.
    @discardableResult
    public static func record(
        root: URL, environment: String?, platformInstance: String?, applied: [AgentSettings], pullsTickets: Bool
    ) -> String? {
        guard pullsTickets, !applied.isEmpty, let platformInstance, let store = store(root: root),
            let author = try? store.author(nil)
        else { return nil }
        // A clone that fetched branches only has tickets but no base: a record
        // would start a base of its own there. A new repository starts one.
        if (try? store.baseTip()) == nil, (try? store.hasTicketFiles(at: store.tip())) != false { return nil }
        let files = applied.map { agent in
            (
                path(environment, agent.id),
                Array(JSONCoding.prettyString(Entry(platformInstance: platformInstance, settings: agent)).utf8)
            )
        }
        do {
            _ = try store.commit(author: author) { _, baseTip in
                // Only what differs from the record: a sync that changes nothing commits nothing.
                let changed = try files.filter { try store.bytes(at: $0.0, in: baseTip) != $0.1 }
                guard !changed.isEmpty else { return nil }
                return TicketStore.Change(
                    baseFiles: changed,
                    // The records that changed, which after an upgrade (a new
                    // record format) may be more than the agents written.
                    baseMessage: "supportsync: record of what was applied, \(plural(changed.count, "agent"))"
                        + (environment.map { " (\($0))" } ?? "") + "\n")
            }
            return nil
        } catch {
            return
                "what was applied could not be recorded in \(TicketStore.platformRef) (\(PrintableText.escaping("\(error)"))): the next plan may name fields this apply wrote as edited on the platform"
        }
    }
}
