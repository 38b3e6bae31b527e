import SupportSync
import Testing

@testable import SupportSyncGit

/// The compact index a pull keeps of every ticket file, against the plain
/// dictionary it replaced (lower-cased id -> paths in the order seen).
@Suite struct TicketFileIndexTests {
    @Test func agreesWithADictionaryOfPathsByLowerCasedID() {
        var generator = SystemRandomNumberGenerator()
        let folders = ["0000/00", "0001/01", "2026/01", "2026/12", "9999/99"]
        // Few ids, in every case: twins, and one id in two folders, are frequent.
        let ids = ["T-1", "t-1", "ab_9", "AB_9", "Ab_9", "x", "X", String(repeating: "Long-Id-", count: 8)]
        var index = TicketFileIndex()
        var model: [String: [String]] = [:]
        var inserted: [String] = []  // named in a failure: the generator has no seed
        for _ in 0..<400 {
            let path =
                "tickets/\(folders.randomElement(using: &generator)!)/\(ids.randomElement(using: &generator)!).yaml"
            index.insert(path)
            inserted.append(path)
            let key = String(TicketPaths.id(ofPath: path)).lowercased()
            if model[key]?.contains(path) != true { model[key, default: []].append(path) }
        }
        for id in ids + ["T-2", "LONG-ID-"] {
            let expected = model[id.lowercased()] ?? []
            #expect(index.paths(foldingCaseOf: id) == expected, "\(id) after \(inserted)")
            #expect(index.path(of: id) == expected.first { TicketPaths.id(ofPath: $0) == id }, "\(id)")
        }
        for folder in folders {
            for id in ids {
                let path = "tickets/\(folder)/\(id).yaml"
                #expect(index.contains(path) == (model[id.lowercased()]?.contains(path) == true), "\(path)")
            }
        }
    }

    @Test func holdsTicketFilesOnly() {
        let index = TicketFileIndex([
            "tickets/2026/11/T-1.yaml", "tickets/2026/1/T-2.yaml", "tickets/T-3.yaml", "tickets/2026/11/T-4.yml",
            "Tickets/2026/11/T-5.yaml", "tickets/2026/11/.gitkeep", "README.md", "tickets/2026/11/a.b.yaml",
        ])
        #expect(index.paths(foldingCaseOf: "t-1") == ["tickets/2026/11/T-1.yaml"])
        for id in ["T-2", "T-3", "T-4", "T-5", ".gitkeep", "a.b", "README.md"] {
            #expect(index.paths(foldingCaseOf: id).isEmpty, "\(id)")
        }
        #expect(!index.contains("README.md"))
    }
}
