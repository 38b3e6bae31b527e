import Foundation

/// A value shared between tasks, read and written under a lock.
final class LockedValue<Value: Sendable>: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    /// Replaces the value with what `update` makes of it, atomically, and returns the new value.
    func take<T>(_ update: (Value) -> T) -> T where Value == T? {
        lock.withLock {
            let new = update(stored)
            stored = new
            return new
        }
    }

    /// Replaces the value with `new` and returns what it was, atomically.
    func swap(_ new: Value) -> Value {
        lock.withLock {
            let old = stored
            stored = new
            return old
        }
    }
}
