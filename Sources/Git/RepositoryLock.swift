internal import CLibGit2
import Foundation

/// A lock that lets one writer at a time work on a repository: the file
/// `<git dir>/supportsync/<name>.lock`, created exclusively and holding the
/// owner's process id, host name and, on Linux, the kernel's boot id
/// ("4242 build-7 6f1c…\n"), in the way git's own `.lock` files work. Its
/// owner also holds an `flock` on it, which the kernel drops when the
/// owner dies.
///
/// A lock left behind by a process that died (a crash, `kill -9`) is taken
/// over. A lock whose `flock` is held is never taken over. Written under
/// this kernel (this machine, or a container on it, whatever its host name
/// or process ids), a free `flock` means its owner died. Written under
/// another kernel on this host name, with a free `flock`, it is from before
/// the host restarted. Without a boot id (an older supportsync), its process
/// id no longer runs on this host. A lock written on another machine (a
/// repository on a shared disk) is never judged stale, since its process
/// cannot be checked from here. The lock lives in the common git directory, so
/// linked worktrees of one repository share it.
///
/// Not `Sendable`; keep it in the task that acquired it. It is released by
/// `release()` or, at the latest, when the last reference goes away.
public final class RepositoryLock {
    /// The lock file's path.
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock, waiting while a live process holds it.
    ///
    /// A lock file whose process is gone is removed and the lock taken. A
    /// lock file without a process id (its owner died between creating and
    /// writing it) counts as stale once it is ten seconds old.
    ///
    /// - Parameters:
    ///   - name: letters, digits, '.', '_' and '-', not starting with '.'.
    ///   - timeout: how long to wait for a live holder before giving up.
    ///   - pollInterval: how often to look again while waiting.
    /// - Throws: `.locked` when the lock is still held after `timeout`; the
    ///   message names the holder's process id and the file to delete if
    ///   that process is not a supportsync (process ids get reused).
    ///   `.invalid` for a bad name; `.failed` when the file cannot be made.
    public static func acquire(
        _ repository: Repository, name: String = "supportsync", timeout: Duration = .seconds(30),
        pollInterval: Duration = .milliseconds(50)
    ) throws(GitError) -> RepositoryLock {
        let what = "could not lock the repository for \(name)"
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard let first = name.first, first != ".", name.allSatisfy(allowed.contains) else {
            throw GitError(.invalid, what, "\(name.debugDescription) is not a valid lock name")
        }
        let folder = String(cString: git_repository_commondir(repository.pointer)) + "supportsync"
        let path = folder + "/" + name + ".lock"
        let deadline = ContinuousClock.now + timeout
        while true {
            if mkdir(folder, 0o777) != 0 && errno != EEXIST {
                throw GitError(.failed, what, "could not create \(folder): \(lastErrorText())")
            }
            let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 {
                let lock = RepositoryLock(path: path, descriptor: descriptor)
                // Held before the boot id is written: a lock that names one is flocked while its owner lives.
                while flock(descriptor, LOCK_EX) != 0 {
                    guard errno == EINTR else {
                        let error = GitError(.failed, what, "could not lock \(path): \(lastErrorText())")
                        lock.release()
                        throw error
                    }
                }
                let text = Array("\(getpid()) \(hostName())\(bootID().map { " \($0)" } ?? "")\n".utf8)
                guard write(descriptor, text, text.count) == text.count else {
                    let error = GitError(.failed, what, "could not write \(path): \(lastErrorText())")
                    lock.release()
                    throw error
                }
                return lock
            }
            guard errno == EEXIST else {
                throw GitError(.failed, what, "could not create \(path): \(lastErrorText())")
            }
            guard let holder = LockHolder(path) else { continue }  // released meanwhile: try at once
            if holder.isStale {
                try withFolderGuard(folder, what) { () throws(GitError) in
                    // Judged again under the guard: another process may have
                    // removed the stale file and made a fresh one meanwhile.
                    if LockHolder(path)?.isStale == true { unlink(path) }
                }
                continue
            }
            guard ContinuousClock.now < deadline else {
                let who =
                    holder.pid.map { "process \($0)" + (holder.host.map { " on \($0)" } ?? "") }
                    ?? "a process that has not written its id yet"
                throw GitError(
                    .locked, what,
                    "\(path) is held by \(who); if no supportsync is running as that process, delete the file")
            }
            Thread.sleep(forTimeInterval: seconds(min(pollInterval, deadline - ContinuousClock.now)))
        }
    }

    /// Gives the lock up; calling it again does nothing. The file is only
    /// deleted if it is still the one this lock created.
    public func release() {
        guard descriptor >= 0 else { return }
        defer {
            close(descriptor)
            descriptor = -1
        }
        var mine = stat()
        guard fstat(descriptor, &mine) == 0 else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? withFolderGuard(folder, "could not release \(path)") { () throws(GitError) in
            var current = stat()
            if stat(path, &current) == 0 && current.st_ino == mine.st_ino && current.st_dev == mine.st_dev {
                unlink(path)
            }
        }
    }
}

/// Who holds a lock file, read from the file itself.
private struct LockHolder {
    let path: String
    var pid: pid_t?
    var host: String?
    /// The boot id of the kernel it was written under; nil from an older
    /// supportsync, or a system without one.
    var boot: String?
    var age: TimeInterval

    /// nil when there is no file (any more).
    init?(_ path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        self.path = path
        let modified = attributes[.modificationDate] as? Date ?? Date()
        age = Date().timeIntervalSince(modified)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let fields = text.split(whereSeparator: \.isWhitespace)
        pid = fields.first.flatMap { pid_t($0) }.flatMap { $0 > 0 ? $0 : nil }
        host = fields.count > 1 ? String(fields[1]) : nil
        boot = fields.count > 2 ? String(fields[2]) : nil
    }

    var isStale: Bool {
        guard let pid else { return age > 10 }
        if let boot {
            // Its owner holds the flock while it lives (seen from any machine
            // whose file system shares flocks): held, whatever else it says.
            if isFlocked { return false }
            // Under this kernel, a free flock is a dead owner; under another
            // on this host name, the host restarted since.
            return boot == bootID() || host == hostName()
        }
        guard host == nil || host == hostName() else { return false }
        // EPERM means the process exists but belongs to someone else.
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

extension LockHolder {
    /// Whether a live process holds the file's `flock`: false when the
    /// file is gone; true when it cannot be told (the file unreadable, a
    /// file system without flock), as a lock that cannot be judged is held.
    fileprivate var isFlocked: Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno != ENOENT }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }
}

/// The running kernel's boot id, the same for every container on it; nil
/// where there is none (macOS).
private func bootID() -> String? {
    #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else {
            return nil
        }
        let id = text.filter { $0.isHexDigit || $0 == "-" }
        return id.isEmpty ? nil : id
    #else
        return nil
    #endif
}

/// This machine's name as `gethostname` gives it (no DNS lookup).
private func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        .filter { !$0.isWhitespace }
    return name.isEmpty ? "unknown" : name
}

/// Runs `body` holding an exclusive `flock` on `folder`, so that removing
/// a lock file (judging it stale, or checking it is ours) is one step for
/// every process. The kernel drops the guard if its holder dies.
private func withFolderGuard(_ folder: String, _ what: String, _ body: () throws(GitError) -> Void) throws(GitError) {
    let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw GitError(.failed, what, "could not open \(folder): \(lastErrorText())") }
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 {
        guard errno == EINTR else { throw GitError(.failed, what, "could not lock \(folder): \(lastErrorText())") }
    }
    defer { flock(descriptor, LOCK_UN) }
    try body()
}

private func seconds(_ duration: Duration) -> TimeInterval {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

private func lastErrorText() -> String {
    String(cString: strerror(errno))
}
