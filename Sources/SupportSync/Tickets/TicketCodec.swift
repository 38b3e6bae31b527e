/// Reads and writes ticket files: the store holds one as an instance, so a
/// later codec (one that seals customer data with a ticket's key, say) is
/// handed to it rather than reached for statically.
public struct TicketCodec: Sendable {
    /// The places the repository's platform seals (`supportsync.yaml`): a
    /// value there that looks sealed must be a sound sealed value. Anywhere
    /// else a value is the customer's text, whatever it starts with.
    public var sealing: Sealing

    public init(sealing: Sealing = .all) {
        self.sealing = sealing
    }

    /// The file's bytes for `record`: deterministic, byte-stable.
    public func encode(_ record: TicketRecord) -> [UInt8] { Array(TicketFile.text(record).utf8) }

    /// The record in `bytes`, with every problem at its line; nil when unusable.
    public func decode(_ bytes: [UInt8], path: String) -> (record: TicketRecord?, diagnostics: [Diagnostic]) {
        TicketFile.read(bytes, path: path, sealing: sealing)
    }

    /// The record, only when the file validates without errors.
    public func decodeValid(_ bytes: [UInt8], path: String) -> TicketRecord? {
        decodeChecked(bytes, path: path).record
    }

    /// The record when the file validates without errors (else nil), and
    /// the errors that stop it.
    public func decodeChecked(_ bytes: [UInt8], path: String) -> (record: TicketRecord?, errors: [Diagnostic]) {
        let (record, diagnostics) = decode(bytes, path: path)
        let errors = diagnostics.filter { $0.severity == .error }
        return (errors.isEmpty ? record : nil, errors)
    }
}
