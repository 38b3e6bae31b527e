import SupportSync

/// The next page of the ticket feed, asked for as soon as a page's answer
/// arrives and before that page is decoded (`Configuration.readsFeedAhead`).
/// The platform prepares the next page, and the round trip passes, while
/// this side decodes the current one.
///
/// It holds one request at a time. A page asked for is taken from it when
/// its request is the one read ahead, and otherwise fetched as usual (the
/// request read ahead is then cancelled). Reading a page is a GET, so a page
/// read ahead and never asked for changes nothing.
final class FeedReadAhead: Sendable {
    typealias Answer = Result<Exchange, PlatformError>

    private let held = LockedValue<(target: String, answer: Task<Answer, Never>)?>(nil)

    /// Starts `send` for the request to `target`, in place of any held.
    func start(_ target: String, _ send: @escaping @Sendable () async -> Answer) {
        let replaced = held.swap((target, Task { await send() }))
        replaced?.answer.cancel()
    }

    /// The answer to the request to `target` when it was read ahead, once it
    /// has arrived; nil when another request was (that one is cancelled).
    func answer(to target: String) async -> Answer? {
        guard let (heldTarget, answer) = held.swap(nil) else { return nil }
        guard heldTarget == target else {
            answer.cancel()
            return nil
        }
        return await withTaskCancellationHandler {
            await answer.value
        } onCancel: {
            answer.cancel()
        }
    }

    /// Cancels the request held, if any.
    func cancel() {
        held.swap(nil)?.answer.cancel()
    }
}
