import SupportSync

/// Any bytes as a ticket file: a record or located diagnostics, never a
/// crash; a record read without errors writes back to a file that reads
/// as the same record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTicketFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = "tickets/2026/11/T-8F3A2C91.yaml"
    let (record, diagnostics) = TicketFile.read(bytes, path: path)
    for diagnostic in diagnostics {
        precondition(diagnostic.location.file == path && diagnostic.location.line >= 1, "a diagnostic off the file")
    }
    if let record, !diagnostics.contains(where: { $0.severity == .error }) {
        let again = TicketFile.read(Array(TicketFile.text(record).utf8), path: path)
        precondition(again.0 == record, "a valid ticket does not survive being written again")
    }
    return 0
}
