import Foundation

/// `transform` of every item, in order, spread over every core: for work
/// that is the same pure function of each of thousands of items (parsing
/// files), whose results are then gathered in order on one thread.
///
/// `transform` must touch nothing shared that is not safe to read from
/// several threads at once.
public func concurrentMap<Item, Result>(_ items: [Item], _ transform: (Item) -> Result?) -> [Result?] {
    var results = [Result?](repeating: nil, count: items.count)
    // Many small chunks, so that no core is left alone with a large last one.
    let chunks = min(items.count, ProcessInfo.processInfo.activeProcessorCount * 32)
    guard chunks > 0 else { return results }
    results.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let output = buffer
        nonisolated(unsafe) let items = items
        withoutActuallyEscaping(transform) { transform in
            nonisolated(unsafe) let transform = transform
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for index in stride(from: chunk, to: items.count, by: chunks) {
                    output[index] = transform(items[index])
                }
            }
        }
    }
    return results
}

/// `first` and `second` run side by side: `second` on a thread of its own,
/// `first` on the caller's; returns when both have. Neither may write
/// anything the other reads (nothing checks it). Either may spread its own
/// work over every core: an iteration of `concurrentPerform` could not,
/// since an apply nested in another runs its iterations one at a time.
public func concurrently<First, Second>(_ first: () -> First, _ second: @escaping () -> Second) -> (First, Second) {
    let other = Other(second)
    let done = DispatchSemaphore(value: 0)
    Thread {
        other.run()
        done.signal()
    }.start()
    let result = first()
    done.wait()
    return (result, other.result!)
}

/// The work of `concurrently`'s own thread, and its result once done.
private final class Other<Result>: @unchecked Sendable {
    private let work: () -> Result
    private(set) var result: Result?

    init(_ work: @escaping () -> Result) { self.work = work }

    func run() { result = work() }
}
