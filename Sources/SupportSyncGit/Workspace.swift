import Foundation
import Git
import SupportSync

/// Where a command works: the repository root its paths are relative to.
public enum Workspace {
    /// `explicit` when given; else the working tree of the git repository
    /// containing the current directory; else the current directory.
    public static func root(explicit: String? = nil) throws -> URL {
        let current = FileManager.default.currentDirectoryPath
        if let explicit {
            let url = URL(fileURLWithPath: explicit, relativeTo: URL(fileURLWithPath: current, isDirectory: true))
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw WorkspaceError.noSuchRepository(explicit)
            }
            return url.standardizedFileURL
        }
        if let repository = try? Repository.discover(from: current), let workdir = repository.workdir {
            return URL(fileURLWithPath: workdir, isDirectory: true).standardizedFileURL
        }
        return URL(fileURLWithPath: current, isDirectory: true).standardizedFileURL
    }
}

extension Workspace {
    /// `supportsync.yaml` as the commands that reach a platform read it: the
    /// file at `root`, or, in a bare repository (a mirror a job pulls
    /// into), the one committed at HEAD. Nil (and no diagnostics) when
    /// there is none.
    public static func projectFile(root: URL) -> (project: ProjectFile?, diagnostics: [Diagnostic]) {
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(ProjectFile.path).path) {
            return ProjectFile.load(root: root)
        }
        guard let repository = try? Repository.open(at: root.path), repository.isBare,
            let head = try? repository.head(), let bytes = try? repository.blob(at: ProjectFile.path, in: head)
        else { return (nil, []) }
        return ProjectFile.read(bytes, root: root)
    }
}

public enum WorkspaceError: UserError {
    case noSuchRepository(String)

    public var description: String {
        switch self {
        case .noSuchRepository(let path): return "--repo \(path): no such folder"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}
