import Foundation
import Git
import Testing

struct RepositoryLockTests {
    /// What a lock taken by this process holds: its id, the machine's node
    /// name (read with uname, independently of the module) and, on Linux,
    /// the kernel's boot id.
    private var ownContent: String {
        var system = utsname()
        uname(&system)
        let node = withUnsafeBytes(of: system.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(getpid()) \(node)\(bootID.map { " \($0)" } ?? "")\n"
    }

    private var bootID: String? {
        #if os(Linux)
            (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        #else
            nil
        #endif
    }

    /// The id of a process that has certainly exited.
    private func deadProcessID() throws -> Int32 {
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/sh")
        finished.arguments = ["-c", "exit 0"]
        try finished.run()
        finished.waitUntilExit()
        return finished.processIdentifier
    }

    @Test func createsALockFileNamingThisProcessAndRemovesIt() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, initialBranch: "main")
            let lock = try RepositoryLock.acquire(repository)
            #expect(lock.path == repository.gitDirectory + "/supportsync/supportsync.lock")
            #expect(try String(contentsOfFile: lock.path, encoding: .utf8) == ownContent)
            lock.release()
            #expect(!FileManager.default.fileExists(atPath: lock.path))
            lock.release()  // a second release does nothing

            do {
                let scoped = try RepositoryLock.acquire(repository, name: "other")
                #expect(FileManager.default.fileExists(atPath: scoped.path))
            }
            // Released when the last reference went away.
            #expect(!FileManager.default.fileExists(atPath: repository.gitDirectory + "/supportsync/other.lock"))
        }
    }

    @Test func aHeldLockTimesOutNamingItsHolder() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let held = try RepositoryLock.acquire(repository)
            let started = ContinuousClock.now
            let error = #expect(throws: GitError.self) {
                try RepositoryLock.acquire(repository, timeout: .milliseconds(300))
            }
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(error?.kind == .locked)
            #expect(error?.description.contains("process \(getpid())") == true, "\(String(describing: error))")
            #expect(error?.description.contains(held.path) == true)
            // Other names are other locks.
            #expect(try RepositoryLock.acquire(repository, name: "platform-push", timeout: .zero).path != held.path)
        }
    }

    @Test func concurrentAcquirersTakeTurns() throws {
        try withTemporaryFolder { folder in
            _ = try Repository.create(at: folder, bare: true)
            let state = Occupancy()
            let group = DispatchGroup()
            let workers = 4
            for _ in 0..<workers {
                group.enter()
                // Threads, not tasks: acquiring blocks while it waits.
                Thread.detachNewThread {
                    defer { group.leave() }
                    do {
                        let repository = try Repository.open(at: folder)
                        let lock = try RepositoryLock.acquire(
                            repository, timeout: .seconds(20), pollInterval: .milliseconds(5))
                        state.enter()
                        Thread.sleep(forTimeInterval: 0.1)
                        state.leave()
                        lock.release()
                    } catch {
                        state.fail("\(error)")
                    }
                }
            }
            #expect(group.wait(timeout: .now() + 30) == .success)
            let summary = state.summary
            #expect(summary.failures == [])
            #expect(summary.entries == workers)
            #expect(summary.mostAtOnce == 1)
        }
    }

    @Test func takesOverALockWhoseProcessIsGone() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let path = folder + "/supportsync/supportsync.lock"
            try FileManager.default.createDirectory(atPath: folder + "/supportsync", withIntermediateDirectories: true)
            try "\(try deadProcessID())\n".write(toFile: path, atomically: true, encoding: .utf8)

            let lock = try RepositoryLock.acquire(repository, timeout: .zero)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == ownContent)
            lock.release()
        }
    }

    @Test func aLockFromAnotherHostIsNeverJudgedStale() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let path = folder + "/supportsync/supportsync.lock"
            try FileManager.default.createDirectory(atPath: folder + "/supportsync", withIntermediateDirectories: true)
            try "\(try deadProcessID()) some-other-host\n".write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: GitError.self) {
                try RepositoryLock.acquire(repository, timeout: .milliseconds(100))
            }
            #expect(error?.kind == .locked)
            #expect(error?.description.contains("on some-other-host") == true, "\(String(describing: error))")
            // The same dead process on this host is stale.
            try ownContent.replacingOccurrences(of: "\(getpid()) ", with: "\(try deadProcessID()) ")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let lock = try RepositoryLock.acquire(repository, timeout: .zero)
            #expect(try String(contentsOfFile: lock.path, encoding: .utf8) == ownContent)
        }
    }

    /// A container on this machine has a host name and process ids of its
    /// own (supportsync as its process 1, a new random name each run): its
    /// lock is judged by the kernel's `flock`, taken over once its owner
    /// died and waited for while it lives.
    @Test func aLockFromAContainerOnThisKernelIsJudgedByItsFlock() throws {
        #if os(Linux)
            let boot = try #require(bootID)
            try withTemporaryFolder { folder in
                let repository = try Repository.create(at: folder, bare: true)
                let path = folder + "/supportsync/supportsync.lock"
                try FileManager.default.createDirectory(
                    atPath: folder + "/supportsync", withIntermediateDirectories: true)
                try "1 ci-container-7 \(boot)\n".write(toFile: path, atomically: true, encoding: .utf8)
                // Its owner lives: it holds the flock.
                let owner = open(path, O_RDONLY | O_CLOEXEC)
                #expect(owner >= 0 && flock(owner, LOCK_EX | LOCK_NB) == 0)
                let error = #expect(throws: GitError.self) {
                    try RepositoryLock.acquire(repository, timeout: .milliseconds(200))
                }
                #expect(error?.kind == .locked)
                #expect(
                    error?.description.contains("process 1 on ci-container-7") == true, "\(String(describing: error))")
                // Its owner died: the kernel dropped the flock.
                close(owner)
                let lock = try RepositoryLock.acquire(repository, timeout: .zero)
                #expect(try String(contentsOfFile: path, encoding: .utf8) == ownContent)
                // And the lock taken holds the flock itself.
                let other = open(path, O_RDONLY | O_CLOEXEC)
                defer { close(other) }
                #expect(flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
                lock.release()
            }
        #endif
    }

    /// A lock written under another kernel is never judged by this one's
    /// flock: from another machine on a shared disk, it is held; from this
    /// host before it restarted (its own name, process 1 alive again), it
    /// is stale.
    @Test func aLockFromAnotherKernelIsJudgedByItsHostName() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let path = folder + "/supportsync/supportsync.lock"
            try FileManager.default.createDirectory(atPath: folder + "/supportsync", withIntermediateDirectories: true)
            let otherBoot = "00000000-0000-4000-8000-000000000000"
            try "1 ci-container-7 \(otherBoot)\n".write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: GitError.self) {
                try RepositoryLock.acquire(repository, timeout: .milliseconds(100))
            }
            #expect(error?.kind == .locked)
            let node = try #require(ownContent.split(separator: " ").dropFirst().first)
            try "1 \(node.trimmingCharacters(in: .newlines)) \(otherBoot)\n".write(
                toFile: path, atomically: true, encoding: .utf8)
            // Unless its flock is held: another machine of the same name, sharing the disk.
            let owner = open(path, O_RDONLY | O_CLOEXEC)
            #expect(owner >= 0 && flock(owner, LOCK_EX | LOCK_NB) == 0)
            let held = #expect(throws: GitError.self) {
                try RepositoryLock.acquire(repository, timeout: .milliseconds(100))
            }
            #expect(held?.kind == .locked)
            close(owner)
            let lock = try RepositoryLock.acquire(repository, timeout: .zero)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == ownContent)
            lock.release()
        }
    }

    @Test func anOldEmptyLockIsStaleAndAFreshOneIsNot() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let path = folder + "/supportsync/supportsync.lock"
            try FileManager.default.createDirectory(atPath: folder + "/supportsync", withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            let error = #expect(throws: GitError.self) {
                try RepositoryLock.acquire(repository, timeout: .milliseconds(100))
            }
            #expect(error?.kind == .locked)
            #expect(error?.description.contains("not written its id") == true)

            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: path)
            let lock = try RepositoryLock.acquire(repository, timeout: .zero)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == ownContent)
            _ = lock
        }
    }

    @Test func releaseLeavesSomeoneElsesFileAlone() throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let lock = try RepositoryLock.acquire(repository)
            // Someone removed ours by hand and another process locked since.
            try FileManager.default.removeItem(atPath: lock.path)
            try "1\n".write(toFile: lock.path, atomically: false, encoding: .utf8)
            lock.release()
            #expect(try String(contentsOfFile: lock.path, encoding: .utf8) == "1\n")
        }
    }

    @Test(arguments: ["", ".hidden", "a/b", "x y", "ü"])
    func refusesBadNames(_ name: String) throws {
        try withTemporaryFolder { folder in
            let repository = try Repository.create(at: folder, bare: true)
            let error = #expect(throws: GitError.self) { try RepositoryLock.acquire(repository, name: name) }
            #expect(error?.kind == .invalid)
        }
    }
}

/// Counts how many threads are inside the locked section at once.
private final class Occupancy: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private var most = 0
    private var entered = 0
    private var failures: [String] = []

    func enter() {
        lock.withLock {
            inside += 1
            entered += 1
            most = max(most, inside)
        }
    }

    func leave() { lock.withLock { inside -= 1 } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
    var summary: (entries: Int, mostAtOnce: Int, failures: [String]) {
        lock.withLock { (entered, most, failures) }
    }
}
