import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How every file of the repository is read (config, `supportsync.yaml`,
/// overlays, ticket files in the working tree): only a regular file inside
/// the repository, at most `limit` bytes. A FIFO is never opened for
/// reading in a way that waits for a writer, a device or a folder is never
/// read, and a symbolic link is followed only to a file inside the
/// repository, so a pull request cannot make the tool hang or print a file
/// from elsewhere on the machine.
public enum RepositoryFile {
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Missing, or not readable; the reason in words.
        case unreadable(String)
        /// Larger than the limit (the size read so far, over it).
        case tooLarge

        public var description: String {
            switch self {
            case .unreadable(let reason): return reason
            case .tooLarge: return "the file is over the size limit"
            }
        }
    }

    /// The bytes of the file at `path` (absolute), which must lie inside
    /// `root` (absolute) once symbolic links are resolved.
    public static func read(_ path: String, root: String, limit: Int) -> Result<[UInt8], Failure> {
        read(path, limit: limit, lexicalRoot: root, root: { realPath(root) }, folder: realPath)
    }

    /// Reads many files of one repository, resolving the repository's and
    /// each folder's symbolic links once, not once per file, for as long as
    /// the reader lives: make one for a run (a validation, a list), so a
    /// folder replaced by a link later is seen by the next one.
    public final class Reader: @unchecked Sendable {
        public let root: String
        private let lock = NSLock()
        private var resolvedRoot: String??
        private var folders: [String: String?] = [:]

        public init(root: String) { self.root = root }

        /// As `RepositoryFile.read(_:root:limit:)`.
        public func read(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
            RepositoryFile.read(
                path, limit: limit, lexicalRoot: root,
                root: {
                    lock.withLock {
                        if let resolvedRoot { return resolvedRoot }
                        let resolved = realPath(root)
                        resolvedRoot = .some(resolved)
                        return resolved
                    }
                },
                folder: { folder in
                    lock.withLock {
                        if let known = folders[folder] { return known }
                        let resolved = realPath(folder)
                        folders[folder] = .some(resolved)
                        return resolved
                    }
                })
        }
    }

    /// `root` resolves the repository (`lexicalRoot`, as named); `folder` a folder of it.
    private static func read(
        _ path: String, limit: Int, lexicalRoot: String, root: () -> String?, folder: (String) -> String?
    ) -> Result<[UInt8], Failure> {
        var link = stat()
        guard lstat(path, &link) == 0 else { return .failure(.unreadable("the file cannot be read (\(reason()))")) }
        // Every link on the way counts (a linked folder too): the file must
        // resolve to a place inside the repository, and that place is read.
        // A file that is no link itself resolves to its folder's place.
        let resolved: String?
        if link.st_mode & S_IFMT != S_IFLNK, let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")),
            case let name = path[path.utf8.index(after: slash)...], !name.isEmpty, name != ".", name != ".."
        {
            resolved = folder(slash == path.utf8.startIndex ? "/" : String(path[..<slash])).map {
                ($0.hasSuffix("/") ? $0 : $0 + "/") + name
            }
        } else {
            resolved = realPath(path)
        }
        guard let resolved else {
            return .failure(.unreadable("the file is a symbolic link to nothing"))
        }
        func isInside(_ path: String, _ folder: String) -> Bool {
            path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
        }
        let resolvedRoot = root()
        guard let base = resolvedRoot, isInside(resolved, base) else {
            if link.st_mode & S_IFMT == S_IFLNK {
                return .failure(
                    .unreadable("the file is a symbolic link to a place outside the repository, which is never read"))
            }
            // Named inside the repository, it was a linked folder that led out.
            let named = URL(fileURLWithPath: path).standardized.path
            let namedInside = [URL(fileURLWithPath: lexicalRoot).standardized.path, resolvedRoot].contains {
                $0.map { isInside(named, $0) } ?? false
            }
            return .failure(
                .unreadable(
                    namedInside
                        ? "the file is reached through a symbolic link to a place outside the repository, which is never read"
                        : "the file is outside the repository, which is never read"))
        }
        let descriptor = open(resolved, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return .failure(.unreadable("the file cannot be read (\(reason()))")) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            return .failure(.unreadable("the file cannot be read (\(reason()))"))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            return .failure(.unreadable("the path is \(kind(status.st_mode)), not a regular file, and is never read"))
        }
        // Read into a buffer of the file's size and one byte more, which
        // tells a file that grew since; past the limit it is too large.
        var bytes = [UInt8](repeating: 0, count: min(Int(status.st_size), limit) + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count <= limit else { return .failure(.tooLarge) }
                bytes += repeatElement(0, count: min(max(bytes.count, 64 * 1024), limit + 1 - bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes {
                systemRead(descriptor, $0.baseAddress! + filled, $0.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return .failure(.unreadable("the file cannot be read (\(reason()))")) }
            if count == 0 { break }
            filled += count
        }
        guard filled <= limit else { return .failure(.tooLarge) }
        bytes.removeLast(bytes.count - filled)
        return .success(bytes)
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a folder"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(descriptor, buffer, count)
        #else
            Darwin.read(descriptor, buffer, count)
        #endif
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
