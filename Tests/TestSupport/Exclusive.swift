import Testing

/// `.exclusive`: the suites and tests it marks never run at the same time as
/// one another. Tests whose expectations involve time (retries, timeouts)
/// carry it, and so do the heavy end-to-end suites that start many processes
/// on a small machine, so the second cannot starve the first of CPU.
public struct Exclusive: TestTrait, SuiteTrait, TestScoping {
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // A marked suite holds the gate for all of its tests; a marked test, for itself.
        await Gate.shared.enter()
        do {
            try await function()
        } catch {
            await Gate.shared.leave()
            throw error
        }
        await Gate.shared.leave()
    }

    /// One holder at a time, first come first served.
    actor Gate {
        static let shared = Gate()
        private var held = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func enter() async {
            if !held {
                held = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
        }
    }
}

extension Trait where Self == Exclusive {
    public static var exclusive: Exclusive { Exclusive() }
}
