import SupportSync

/// Arbitrary tickets, their text fields cut from the input at each 0x1F
/// byte: what the writer writes, the reader reads back as the same record,
/// with no error (nothing the tool writes is unreadable by the tool).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTicketRoundTrip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var parts = bytes.split(separator: 0x1F, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    while parts.count < 8 { parts.append("") }
    let record = TicketRecord(
        id: "T-8F3A2C91", agent: "billing-line", channel: .calls, conversation: parts[0],
        createdAt: "2026-11-24T10:02:11Z", reason: parts[1], summary: parts[2],
        customer: Customer(name: parts[3], email: parts[4].isEmpty ? nil : parts[4], phone: nil),
        fields: [parts[5]: parts[6]], tags: ["billing"], status: .resolved, resolution: "done " + parts[7])
    let text = TicketFile.text(record)
    // As a repository without sealing reads it: every value is text, even
    // one that starts like a sealed value.
    let (read, diagnostics) = TicketFile.read(
        Array(text.utf8), path: "tickets/2026/11/T-8F3A2C91.yaml", sealing: .none)
    let errors = diagnostics.filter { $0.severity == .error }.map(\.message)
    precondition(errors.isEmpty, "the written ticket does not read: \(errors)\n\(text)")
    precondition(read == record, "the written ticket reads back different:\n\(text)")
    return 0
}
