import Foundation

/// Writing a file whole: to a temporary file beside it, renamed into place,
/// so a reader sees the old content or the new, never half a file. The
/// temporary file is named as a checkout's (`.<name>.<16 hex digits>.tmp`),
/// and one that a process killed mid-write left for the same file is
/// removed by the next write of it. The one way files the tool keeps for
/// itself (under `.git/supportsync/`) are written.
public enum WholeFile {
    /// Writes `bytes` to `path` (absolute), creating missing folders.
    /// - Throws: `.failed` when a folder or the file cannot be written.
    public static func write(_ bytes: [UInt8], to path: String) throws(GitError) {
        let what = "could not write \(path)"
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        removeLeftoverTemporaries(of: [name], in: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw GitError(.failed, what, "could not create the folder \(folder): \(error.localizedDescription)")
        }
        let temporary = try writeTemporary(path, bytes, executable: false, number: .random(in: .min ... .max), what)
        _ = try replace(path, with: temporary, what)
    }
}
