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

/// `first` and `second` run side by side, on two cores when there are two;
/// returns when both have.
public func concurrently<First, Second>(_ first: () -> First, _ second: () -> Second) -> (First, Second) {
    let results = Pair<First, Second>()
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            nonisolated(unsafe) let (first, second) = (first, second)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 0 { results.first = first() } else { results.second = second() }
            }
        }
    }
    return (results.first!, results.second!)
}

/// Two results, each set by its own thread before either is read.
private final class Pair<First, Second>: @unchecked Sendable {
    var first: First?
    var second: Second?
}
